import { randomBytes } from 'node:crypto';
import type { EventHub, SubscribeOptions, Subscription } from './EventHub.js';
import type { SubscriptionOffer } from './negotiateSubscription.js';
import { SubscriptionChannel, type ChannelTransport } from './SubscriptionChannel.js';

/**
 * The open streams of one set of AAEP endpoints, by subscription id, shared by the SSE
 * and WebSocket bindings so a handshake POSTed over HTTP can reach its stream.
 */
export class SubscriptionRegistry {
  private readonly channels = new Map<string, SubscriptionChannel>();

  constructor(
    private readonly hub: EventHub,
    private readonly offer: () => Promise<SubscriptionOffer>,
  ) {}

  /** A fresh subscription id (random: ids are not credentials, spec T8, but need not be guessable). */
  newId(): string {
    return `sub_${randomBytes(16).toString('hex')}`;
  }

  /** Opens a channel on the hub; the caller ends it with `unsubscribe()` when the transport goes. */
  open(id: string, transport: ChannelTransport, options: SubscribeOptions): { channel: SubscriptionChannel; subscription: Subscription } {
    let subscription: Subscription | undefined;
    const channel = new SubscriptionChannel(id, transport, this.offer, (gone) => {
      this.channels.delete(gone.id);
      subscription?.unsubscribe();
    });
    this.channels.set(id, channel);
    subscription = this.hub.subscribe(channel, options);
    return { channel, subscription };
  }

  remove(channel: SubscriptionChannel): void {
    this.channels.delete(channel.id);
  }

  get(id: string): SubscriptionChannel | undefined {
    return this.channels.get(id);
  }

  /** The only open SSE stream, if exactly one is open. */
  onlySse(): SubscriptionChannel | undefined {
    let found: SubscriptionChannel | undefined;
    for (const channel of this.channels.values()) {
      if (channel.kind !== 'sse') continue;
      if (found !== undefined) return undefined;
      found = channel;
    }
    return found;
  }

  get size(): number {
    return this.channels.size;
  }
}
