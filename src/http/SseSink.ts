import type { ServerResponse } from 'node:http';
import type { SubscriberSink, Subscription } from '../hub/Subscription.js';

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

  write(frames: Buffer): boolean {
    if (this.response.writableEnded || this.response.destroyed) return true;
    return this.response.write(frames);
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
