import type { ServerResponse } from 'node:http';
import type { HubEntry, SubscriberSink, Subscription } from '../EventHub.js';
import { sseFrame } from './sseFrame.js';

/** Each entry's SSE frame is built once and shared by every stream that sends it. */
const frames = new WeakMap<HubEntry, Buffer>();

function frameOf(entry: HubEntry): Buffer {
  let frame = frames.get(entry);
  if (frame === undefined) {
    frame = Buffer.from(sseFrame({ event: 'aaep.event', id: entry.id, data: entry.json }));
    frames.set(entry, frame);
  }
  return frame;
}

/**
 * Ends an event stream and its connection once the last bytes are out: a client
 * would otherwise keep the idle connection and hold up server shutdown. A client
 * that stopped reading is cut off after a second.
 */
export function endStream(response: ServerResponse): void {
  if (!response.writableEnded) response.end(() => response.socket?.destroy());
  setTimeout(() => response.destroy(), 1_000).unref();
}

/** The SSE transport: a thin adapter from a hub subscription to an HTTP response. */
export class SseSink implements SubscriberSink {
  private subscription: Subscription | undefined;

  constructor(private readonly response: ServerResponse) {
    response.on('drain', () => this.subscription?.resume());
  }

  attach(subscription: Subscription): void {
    this.subscription = subscription;
  }

  write(entries: readonly HubEntry[]): boolean {
    if (this.response.writableEnded || this.response.destroyed) return true;
    const chunk = entries.length === 1 ? frameOf(entries[0]!) : Buffer.concat(entries.map(frameOf));
    return this.response.write(chunk);
  }

  close(reason: 'overflow' | 'shutdown'): void {
    // A subscriber that stopped reading would never let a graceful end finish.
    if (reason === 'overflow') {
      this.response.destroy();
      return;
    }
    endStream(this.response);
  }
}
