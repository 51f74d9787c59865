import { randomBytes } from 'node:crypto';
import { readEnvNumber } from '../env.js';
import type { EventHub } from './EventHub.js';
import type { SubscribeOptions, Subscription } from './Subscription.js';
import { negotiateSubscription, type Negotiation, type SubscriptionOffer } from './negotiateSubscription.js';
import type { SubscriptionRequest } from '../protocol/index.js';
import { SubscriptionChannel, type ChannelTransport, type NegotiatedTerms } from './SubscriptionChannel.js';

export interface SubscriptionRegistryOptions {
  /** Negotiated subscriptions kept for a stream to (re)open. Else `AAEP_PENDING_SUBSCRIPTIONS`, else 256. */
  readonly maxPending?: number;
}

export const DEFAULT_MAX_PENDING = 256;
/** How long negotiated terms wait for their stream. */
export const PENDING_TTL_MS = 60_000;

/**
 * The open streams of one set of AAEP endpoints, by subscription id, shared by the SSE
 * and WebSocket bindings so a handshake POSTed over HTTP can reach its stream; and the
 * terms negotiated for SSE streams not open yet (spec B.1.2) or reconnecting (B.1.5),
 * a bounded number of them, for a minute each.
 */
export class SubscriptionRegistry {
  private readonly channels = new Map<string, SubscriptionChannel>();
  private readonly pending = new Map<string, { terms: NegotiatedTerms; expires: number }>();
  private readonly maxPending: number;

  constructor(
    private readonly hub: EventHub,
    private readonly offer: () => Promise<SubscriptionOffer>,
    options: SubscriptionRegistryOptions = {},
  ) {
    this.maxPending = Math.max(1, Math.floor(options.maxPending ?? readEnvNumber('AAEP_PENDING_SUBSCRIPTIONS') ?? DEFAULT_MAX_PENDING));
  }

  /** A fresh subscription id (random: ids are not credentials, spec T8, but need not be guessable). */
  newId(): string {
    return `sub_${randomBytes(16).toString('hex')}`;
  }

  /** Opens a channel on the hub; the caller ends it with `unsubscribe()` when the transport goes. */
  open(id: string, transport: ChannelTransport, options: SubscribeOptions): { channel: SubscriptionChannel; subscription: Subscription } {
    let subscription: Subscription | undefined;
    const channel = new SubscriptionChannel(id, transport, this.offer, (gone, reason) => {
      this.channels.delete(gone.id);
      // A subscriber cut off for falling behind reconnects under the same terms.
      if (reason === 'overflow') this.keep(gone);
      subscription?.unsubscribe();
      if (reason === 'closed' && subscription !== undefined) this.hub.closedBy(subscription);
    });
    this.channels.set(id, channel);
    const terms = this.take(id);
    if (terms !== undefined) channel.adopt(terms);
    subscription = this.hub.subscribe(channel, options);
    return { channel, subscription };
  }

  /** The transport went away: its terms wait a minute for the reconnect. */
  remove(channel: SubscriptionChannel): void {
    if (this.channels.get(channel.id) !== channel) return;
    this.channels.delete(channel.id);
    if (channel.kind === 'sse') this.keep(channel);
    channel.release();
  }

  get(id: string): SubscriptionChannel | undefined {
    return this.channels.get(id);
  }

  /** Whether terms wait for a stream with this id. */
  isPending(id: string): boolean {
    this.purge();
    return this.pending.has(id);
  }

  /** Forgets terms waiting for a stream (a close before it opened). */
  forget(id: string): boolean {
    return this.pending.delete(id);
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

  /** Spec B.1.2: negotiates before the stream opens; the stream claims the terms by id. */
  async negotiateAhead(message: SubscriptionRequest): Promise<Negotiation> {
    this.purge();
    const offer = await this.offer();
    if (this.pending.size >= this.maxPending) {
      return {
        ok: false,
        message: { type: 'subscription.rejected', reason_code: 'rate_limit', reason_message: 'Too many subscriptions are waiting for their stream.', retry_after_seconds: PENDING_TTL_MS / 1000 },
      };
    }
    const id = this.newId();
    const answer = negotiateSubscription(id, message.aaep_version, message.capabilities, offer);
    if (answer.ok) {
      this.pending.set(id, { terms: { requested: message.capabilities, version: message.aaep_version, honored: answer.message.honored_capabilities }, expires: Date.now() + PENDING_TTL_MS });
    }
    return answer;
  }

  private keep(channel: SubscriptionChannel): void {
    const terms = channel.terms;
    if (terms === undefined) return;
    this.purge();
    if (this.pending.size >= this.maxPending) return;
    this.pending.set(channel.id, { terms, expires: Date.now() + PENDING_TTL_MS });
  }

  private take(id: string): NegotiatedTerms | undefined {
    this.purge();
    const entry = this.pending.get(id);
    this.pending.delete(id);
    return entry?.terms;
  }

  private purge(): void {
    const now = Date.now();
    for (const [id, entry] of this.pending) if (entry.expires <= now) this.pending.delete(id);
  }
}
