import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { AaepEvent, Producer } from './protocol/index.js';

/** An event as the hub keeps it: serialised once, shared by every subscriber. */
export interface HubEntry {
  /** Position in the hub's stream; -1 for per-subscriber state summaries. */
  readonly order: number;
  readonly id: string;
  readonly sessionId: string;
  readonly json: string;
  readonly bytes: number;
}

/** A transport's side of a subscription (SSE response, WebSocket, in-memory test sink). */
export interface SubscriberSink {
  /** Writes entries in order; returns false when the transport's buffer is full. */
  write(entries: readonly HubEntry[]): boolean;
  /** Ends the transport: the subscriber fell too far behind, or the hub is closing. */
  close(reason: 'overflow' | 'shutdown'): void;
}

export interface SubscribeOptions {
  /** Only events of this session. */
  readonly sessionId?: string | undefined;
  /** Resume after this event (SSE `Last-Event-ID`). */
  readonly lastEventId?: string | undefined;
}

export interface EventHubOptions {
  /** Events kept for resume. Default 10,000. */
  readonly retentionEvents?: number;
  /** Bytes of serialised events kept for resume. Default 16 MiB. */
  readonly retentionBytes?: number;
  /** Events queued for one subscriber before it is disconnected. Default 2,000. */
  readonly subscriberQueueEvents?: number;
  /** Bytes queued for one subscriber before it is disconnected. Default 4 MiB. */
  readonly subscriberQueueBytes?: number;
  /** Describes open sessions to a subscriber whose resume point is gone (spec B.1.5). */
  readonly snapshot?: (sessionId?: string) => AaepEvent[];
  /** Who produces the events, for the manifest. */
  readonly producer?: Producer;
}

export const HUB_DEFAULTS = {
  retentionEvents: 10_000,
  retentionBytes: 16 * 1024 * 1024,
  subscriberQueueEvents: 2_000,
  subscriberQueueBytes: 4 * 1024 * 1024,
} as const;

/** A subscriber's place in the hub. */
export class Subscription {
  /** @internal */ queue: HubEntry[] = [];
  /** @internal */ queuedBytes = 0;
  /** @internal */ writable = true;
  /** @internal */ closed = false;
  private drainWaiters: Array<() => void> = [];

  /** @internal */
  constructor(
    private readonly hub: EventHub,
    /** @internal */ readonly sink: SubscriberSink,
    /** @internal */ readonly sessionId: string | undefined,
  ) {}

  /** The transport drained its buffer: send what queued up meanwhile. */
  resume(): void {
    this.writable = true;
    this.hub.flushSubscription(this);
  }

  /** The transport went away. */
  unsubscribe(): void {
    this.hub.remove(this);
  }

  /** @internal Resolves once nothing is queued and the transport is writable. */
  drained(): Promise<void> {
    if (this.closed || (this.writable && this.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** @internal */
  notifyDrained(): void {
    if (!this.closed && !(this.writable && this.queue.length === 0)) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * Orders events, serialises each once, keeps a bounded window for resume and fans
 * out to subscribers without ever blocking the publisher: delivery happens on a
 * later tick, each subscriber has a bounded queue, and one that overflows it is
 * disconnected (it resumes by id) rather than slowing anyone else.
 */
export class EventHub {
  private readonly retentionEvents: number;
  private readonly retentionBytes: number;
  private readonly queueEvents: number;
  private readonly queueBytes: number;
  private readonly snapshot: ((sessionId?: string) => AaepEvent[]) | undefined;
  readonly producer: Producer;

  private retained: HubEntry[] = [];
  private head = 0;
  private retainedBytes = 0;
  private readonly byId = new Map<string, HubEntry>();
  private nextOrder = 0;
  private readonly subscriptions = new Set<Subscription>();
  private flushScheduled = false;
  private isClosed = false;

  constructor(options: EventHubOptions = {}) {
    this.retentionEvents = positive(options.retentionEvents, HUB_DEFAULTS.retentionEvents);
    this.retentionBytes = positive(options.retentionBytes, HUB_DEFAULTS.retentionBytes);
    this.queueEvents = positive(options.subscriberQueueEvents, HUB_DEFAULTS.subscriberQueueEvents);
    this.queueBytes = positive(options.subscriberQueueBytes, HUB_DEFAULTS.subscriberQueueBytes);
    this.snapshot = options.snapshot;
    this.producer = options.producer ?? { agent_id: 'aaep-otel' };
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Events currently kept for resume, and their serialised size. */
  get retention(): { events: number; bytes: number } {
    return { events: this.retained.length - this.head, bytes: this.retainedBytes };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Adds an event to the stream. Never throws and never waits for a subscriber. */
  publish(event: AaepEvent): void {
    if (this.isClosed || this.byId.has(event.event_id)) return;
    const json = JSON.stringify(event);
    const entry: HubEntry = {
      order: this.nextOrder++,
      id: event.event_id,
      sessionId: event.session_id,
      json,
      bytes: Buffer.byteLength(json),
    };
    this.retain(entry);
    for (const subscription of this.subscriptions) this.enqueue(subscription, entry);
    this.scheduleFlush();
  }

  /**
   * Registers a subscriber. With `lastEventId` it first receives the retained
   * events after that one, or, when that event is no longer retained, a state
   * summary of each open session.
   */
  subscribe(sink: SubscriberSink, options: SubscribeOptions = {}): Subscription {
    const subscription = new Subscription(this, sink, options.sessionId);
    if (this.isClosed) {
      subscription.closed = true;
      sink.close('shutdown');
      return subscription;
    }
    this.subscriptions.add(subscription);
    if (options.lastEventId !== undefined && options.lastEventId !== '') {
      const from = this.byId.get(options.lastEventId);
      if (from !== undefined) {
        const start = this.head + (from.order - this.retained[this.head]!.order) + 1;
        for (let i = start; i < this.retained.length; i++) this.enqueue(subscription, this.retained[i]!);
      } else {
        for (const event of this.snapshot?.(options.sessionId) ?? []) {
          const json = JSON.stringify(event);
          this.enqueue(subscription, {
            order: -1,
            id: event.event_id,
            sessionId: event.session_id,
            json,
            bytes: Buffer.byteLength(json),
          });
        }
      }
      this.scheduleFlush();
    }
    return subscription;
  }

  /** Writes everything queued now, then waits (at most `timeoutMs`) for transports to drain. */
  async flush(timeoutMs = 5_000): Promise<void> {
    this.flushAll();
    const drained = Promise.all([...this.subscriptions].map((s) => s.drained()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
  }

  /** Delivers what is queued, then ends every subscription. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.flushAll();
    this.isClosed = true;
    for (const subscription of [...this.subscriptions]) this.drop(subscription, 'shutdown');
  }

  /** @internal */
  flushSubscription(subscription: Subscription): void {
    if (subscription.closed || !subscription.writable || subscription.queue.length === 0) {
      subscription.notifyDrained();
      return;
    }
    const entries = subscription.queue;
    subscription.queue = [];
    subscription.queuedBytes = 0;
    let ok: boolean;
    try {
      ok = subscription.sink.write(entries);
    } catch {
      this.remove(subscription);
      return;
    }
    if (!ok) subscription.writable = false;
    subscription.notifyDrained();
  }

  /** @internal */
  remove(subscription: Subscription): void {
    if (subscription.closed) return;
    subscription.closed = true;
    subscription.queue = [];
    this.subscriptions.delete(subscription);
    subscription.notifyDrained();
  }

  private drop(subscription: Subscription, reason: 'overflow' | 'shutdown'): void {
    this.remove(subscription);
    try {
      subscription.sink.close(reason);
    } catch {
      // The transport is gone either way.
    }
  }

  private enqueue(subscription: Subscription, entry: HubEntry): void {
    if (subscription.closed) return;
    if (subscription.sessionId !== undefined && subscription.sessionId !== entry.sessionId) return;
    subscription.queue.push(entry);
    subscription.queuedBytes += entry.bytes;
    if (subscription.queue.length > this.queueEvents || subscription.queuedBytes > this.queueBytes) {
      // Dropping events silently could lose a critical one: disconnect, the client resumes by id.
      this.drop(subscription, 'overflow');
    }
  }

  private retain(entry: HubEntry): void {
    this.retained.push(entry);
    this.byId.set(entry.id, entry);
    this.retainedBytes += entry.bytes;
    while (
      this.retained.length - this.head > this.retentionEvents ||
      (this.retainedBytes > this.retentionBytes && this.retained.length - this.head > 1)
    ) {
      const evicted = this.retained[this.head]!;
      this.retained[this.head] = undefined as unknown as HubEntry;
      this.head++;
      this.retainedBytes -= evicted.bytes;
      this.byId.delete(evicted.id);
    }
    if (this.head > 1024 && this.head * 2 > this.retained.length) {
      this.retained = this.retained.slice(this.head);
      this.head = 0;
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // Delivery is our own I/O: it must not show up in the user's traces.
      context.with(suppressTracing(ROOT_CONTEXT), () => this.flushAll());
    });
  }

  private flushAll(): void {
    for (const subscription of [...this.subscriptions]) this.flushSubscription(subscription);
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
