/**
 * A real SSE client over fetch and eventsource-parser, recording what a subscriber
 * sees, validating each event against the spec schemas as it arrives.
 */
import { createParser } from 'eventsource-parser';
import { validateAgainstSpec } from './aaepSchemas.js';

export type WireEvent = Record<string, unknown> & { type: string; session_id: string; event_id: string };

export interface SseClient {
  readonly events: WireEvent[];
  /** The SSE id of each event; '' for one re-sent in a catch-up, which has none. */
  readonly ids: string[];
  /** How many events at the start were a catch-up (re-sent, without an SSE id). */
  readonly catchUp: number;
  /** The id the catch-up said live events start after (its `aaep.position` frame). */
  readonly position: string | undefined;
  readonly status: number;
  readonly headers: Headers;
  /** Resolves when `predicate` holds for the events so far (checked on each arrival). */
  waitFor(predicate: (events: WireEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export async function connectSse(
  url: string,
  options: { lastEventId?: string; headers?: Record<string, string> } = {},
): Promise<SseClient> {
  const controller = new AbortController();
  const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers };
  if (options.lastEventId !== undefined) headers['Last-Event-ID'] = options.lastEventId;
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: WireEvent[] = [];
  const ids: string[] = [];
  let catchUp = 0;
  let position: string | undefined;
  const waiters = new Set<() => void>();
  const parser = createParser({
    onEvent(message) {
      if (message.event === 'aaep.position') {
        if (ids.some((id) => id !== '')) throw new Error('aaep.position after live events');
        position = message.id;
        for (const waiter of waiters) waiter();
        return;
      }
      if (message.event !== 'aaep.event') return;
      const event = JSON.parse(message.data) as WireEvent;
      const errors = validateAgainstSpec(event);
      if (errors.length > 0) throw new Error(`schema-invalid event on the wire: ${errors.join('; ')}\n${message.data}`);
      if (message.id === undefined) {
        if (ids.length > catchUp || position !== undefined) throw new Error(`re-sent ${event.event_id} after live events`);
        catchUp++;
      } else if (message.id !== event.event_id) throw new Error(`SSE id ${message.id} differs from event_id ${event.event_id}`);
      events.push(event);
      ids.push(message.id ?? '');
      for (const waiter of waiters) waiter();
    },
  });
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  })();
  return {
    events,
    ids,
    get catchUp() {
      return catchUp;
    },
    get position() {
      return position;
    },
    status: response.status,
    headers: response.headers,
    ended,
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate(events)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting; received ${events.length} events: ${events.map((e) => e.type).join(', ')}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close() {
      controller.abort();
    },
  };
}

export function sessionDone(sessionId?: string) {
  return (events: WireEvent[]) =>
    events.some(
      (event) =>
        (sessionId === undefined || event.session_id === sessionId) &&
        /^aaep:agent\.session\.(completed|errored|cancelled)$/.test(event.type),
    );
}
