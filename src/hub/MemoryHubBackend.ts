import type { EventHub } from './EventHub.js';
import type { AaepEvent } from '../protocol/index.js';
import type { HubBackend } from './HubBackend.js';
import type { SerializedEvent } from './SerializedEvent.js';

/** One process: events go straight into the hub's ring. The default. */
export class MemoryHubBackend implements HubBackend {
  readonly kind = 'memory';
  readonly available = true;

  constructor(readonly hub: EventHub) {}

  publish(event: AaepEvent, owner?: string): void {
    this.hub.publish(event, owner);
  }

  publishPrepared(event: SerializedEvent, owner?: string): void {
    this.hub.publishPrepared(event, owner);
  }

  stored(): Promise<void> {
    return Promise.resolve();
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
