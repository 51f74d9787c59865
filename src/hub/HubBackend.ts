import type { EventHub } from './EventHub.js';
import type { IngestGate } from '../sources/otlp/IngestGate.js';
import type { AaepEvent } from '../protocol/index.js';
import type { SerializedEvent } from './SerializedEvent.js';

/**
 * Where translated events are kept: the translator publishes here, and `hub`
 * (the in-memory ring with its subscribers) serves the streams. In one process
 * the two are the same; with a shared log (Redis Streams) every instance appends
 * what it translates to the log and its ring follows the log, so each instance's
 * subscribers hear every instance's events in one order.
 */
export interface HubBackend extends IngestGate {
  readonly kind: 'memory' | 'redis';
  readonly hub: EventHub;
  /** Adds an event of a session `owner` (a principal) owns. Never throws and never waits. */
  publish(event: AaepEvent, owner?: string): void;
  /** As `publish`, for an event serialised where it was translated (another thread). */
  publishPrepared(event: SerializedEvent, owner?: string): void;
  /** Resolves once the backend serves (caught up with the shared log). */
  ready(): Promise<void>;
  /** Stores what is pending (bounded wait), then lets go of connections. Idempotent; does not close `hub`. */
  close(): Promise<void>;
}
