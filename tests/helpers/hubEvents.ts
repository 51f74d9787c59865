/** A subscriber that records, schema-checked, every event a hub delivers, in order. */
import type { EventHub } from '../../src/hub/EventHub.js';
import { validateAgainstSpec } from './aaepSchemas.js';
import type { WireEvent } from './sseClient.js';

export function collectEvents(hub: EventHub): WireEvent[] {
  const events: WireEvent[] = [];
  hub.subscribe({
    write: (frames) => {
      for (const line of frames.toString('utf8').split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const event = JSON.parse(line.slice(6)) as WireEvent;
        const errors = validateAgainstSpec(event);
        if (errors.length > 0) throw new Error(`schema-invalid event: ${errors.join('; ')}\n${line}`);
        events.push(event);
      }
      return true;
    },
    close: () => {},
  });
  return events;
}
