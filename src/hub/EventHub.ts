import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { CatchUp, type CatchUpSource } from './CatchUp.js';
import { SessionOwners } from './SessionOwners.js';
import { Subscription, type SubscribeOptions, type SubscriberSink, type SubscriptionHost } from './Subscription.js';
import { readEnvNumber } from '../env.js';
import { EVENT_FRAME_ID_OFFSET, eventFrameMaxBytes, writeEventFrame } from '../http/sseFrame.js';
import type { AaepEvent, Producer } from '../protocol/index.js';
import { resolveLimit, type StoreUsage } from '../limits.js';
import type { ReplyRegistry } from '../agent/ReplyRegistry.js';
import { HUB_DEFAULTS, type EventHubOptions } from './EventHubOptions.js';
import { localizedFrame } from './localizedFrame.js';
import { expireOnClose, expireUnanswerable, type AskedQuestion } from './unanswerableQuestions.js';
import type { EventPhrases } from '../translate/messages/EventPhrases.js';
import { serializeEvent, type SerializedEvent } from './SerializedEvent.js';
import type { PhraseLanguage } from '../translate/messages/catalog.js';

/** Catch-up bytes written per subscriber per turn of the event loop, so many at once never stall it. */
const CATCH_UP_SLICE_BYTES = 64 * 1024;

const MIN_RETENTION_BYTES = 1024 * 1024;

/**
 * Orders events, serialises and frames each once into a fixed-size byte ring that
 * is both the resume window and the fan-out buffer, and delivers on a later tick.
 * A subscriber is only a cursor into that ring: the agent never waits for one, a
 * slow one costs no memory of its own, and one that lags beyond its bound (or
 * whose next event left the ring) is disconnected to resume by id, so no event is
 * ever dropped silently. Keeping events as bytes, not objects, spares the garbage
 * collector from tracing thousands of retained events.
 */
export class EventHub implements SubscriptionHost {
  readonly producer: Producer;
  readonly replies: ReplyRegistry | undefined;
  private readonly maxEvents: number;
  private readonly queueEvents: number;
  private readonly queueBytes: number;
  /** Subscribers connected at once: transports check `subscribers` before subscribing. */
  readonly maxSubscribers: number;
  private readonly catchUpSource: CatchUpSource | undefined;
  private readonly catchUpMaxSessions: number;
  private readonly ring: Buffer;
  /** Per retained event, indexed by order % maxEvents. */
  private readonly starts: Float64Array;
  private readonly lengths: Int32Array;
  private readonly sessions: Array<string | undefined>;
  /** The principal owning each retained event's session (metadata beside the frame, never in it). */
  private readonly owners: Array<string | undefined>;
  /** Which fields of each retained event are our phrases, for subscribers in another language. */
  private readonly phrases: Array<EventPhrases | undefined>;
  /** Owners of open sessions and their reply tokens, for checking who may answer. */
  readonly sessionOwners = new SessionOwners();
  /** Order of the oldest retained event and of the next one to publish. */
  private firstOrder = 0;
  /** @internal */ nextOrder = 0;
  /** Write position in the ring, and bytes in use. */
  private writeAt = 0;
  private usedBytes = 0;

  private readonly subscriptions = new Set<Subscription>();
  /** Questions published since the last delivery round, which empties it. */
  private asked: AskedQuestion[] = [];
  /** A lower bound of the subscribers' cursors, so eviction rarely needs to look at them. */
  private minCursor = 0;
  private flushScheduled = false;
  private isClosed = false;

  constructor(options: EventHubOptions = {}) {
    this.maxEvents = positive(options.retentionEvents, HUB_DEFAULTS.retentionEvents);
    const bytes = Math.max(MIN_RETENTION_BYTES, positive(options.retentionBytes, HUB_DEFAULTS.retentionBytes));
    this.queueEvents = positive(options.subscriberQueueEvents, HUB_DEFAULTS.subscriberQueueEvents);
    this.queueBytes = positive(options.subscriberQueueBytes, HUB_DEFAULTS.subscriberQueueBytes);
    this.maxSubscribers = resolveLimit('subscribers', options.maxSubscribers);
    this.catchUpSource = options.catchUp;
    this.catchUpMaxSessions = positive(
      options.catchUpMaxSessions ?? readEnvNumber('AAEP_CATCHUP_MAX_SESSIONS'),
      HUB_DEFAULTS.catchUpMaxSessions,
    );
    this.producer = options.producer ?? { agent_id: 'aaep-otel' };
    this.replies = options.replies;
    // Zero-filled now, so its pages are mapped at start-up rather than on the agent's first events.
    this.ring = Buffer.alloc(bytes);
    this.starts = new Float64Array(this.maxEvents);
    this.lengths = new Int32Array(this.maxEvents);
    this.sessions = new Array<string | undefined>(this.maxEvents);
    this.owners = new Array<string | undefined>(this.maxEvents);
    this.phrases = new Array<EventPhrases | undefined>(this.maxEvents);
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Subscribers connected, against their bound. */
  get subscribers(): StoreUsage {
    return { size: this.subscriptions.size, limit: this.maxSubscribers };
  }

  /** Events currently kept for resume, and the bytes they take (never more than configured). */
  get retention(): { events: number; bytes: number; capacityBytes: number } {
    return { events: this.nextOrder - this.firstOrder, bytes: this.usedBytes, capacityBytes: this.ring.length };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Adds an event to the stream, of a session `owner` owns (a principal; none: only the operator hears it by default). Never throws and never waits for a subscriber. */
  publish(event: AaepEvent, owner?: string): void {
    this.publishPrepared(serializeEvent(event), owner);
  }

  /** As `publish`, for an event serialised where it was translated. */
  publishPrepared(event: SerializedEvent, owner?: string): void {
    this.sessionOwners.observe(event, owner);
    // Checked at the next delivery round, which every publish schedules (none after close).
    if (this.replies !== undefined && !this.isClosed && event.replyToken !== undefined) {
      this.asked.push({ kind: event.type === 'aaep:agent.awaiting.confirmation' ? 'confirmation' : 'clarification', token: event.replyToken, sessionId: event.sessionId, owner });
    }
    this.publishSerialized(event.eventId, event.sessionId, event.json, owner, event.phrases);
  }

  /**
   * Adds an event serialised elsewhere (read from a shared log: see src/hub/RedisHubBackend.ts);
   * the caller also tells `sessionOwners` about it. `phrases` says which fields can be said in other languages.
   */
  publishSerialized(eventId: string, sessionId: string, json: string, owner?: string, phrases?: EventPhrases): void {
    if (this.isClosed) return;
    // Room for the worst case of UTF-8; the frame is written in place and measured after.
    const room = eventFrameMaxBytes(eventId, json);
    if (room > this.ring.length) return;
    let start = this.writeAt;
    // Frames never wrap: one that may not fit before the end starts at zero.
    if (start + room > this.ring.length) {
      // The oldest events sit in the tail being skipped; they go first.
      this.evictOverlapping(start, this.ring.length - start);
      start = 0;
    }
    this.evictOverlapping(start, room);
    if (this.nextOrder - this.firstOrder >= this.maxEvents) this.evictOldest();
    const length = writeEventFrame(this.ring, start, eventId, json);
    const slot = this.nextOrder % this.maxEvents;
    this.starts[slot] = start;
    this.lengths[slot] = length;
    this.sessions[slot] = sessionId;
    this.owners[slot] = owner;
    this.phrases[slot] = phrases;
    this.nextOrder++;
    this.writeAt = start + length;
    this.usedBytes += length;
    this.scheduleFlush();
  }

  /**
   * Registers a subscriber, which receives events published from now on. With a
   * retained `lastEventId` it first receives the events after that one. Without
   * one, or when it is no longer retained, it first receives a catch-up: where each
   * open session stands (see `CatchUp`), taken at the same instant as its place in
   * the log, so nothing is missed or doubled between the two. The catch-up takes at
   * most half the subscriber's byte bound and counts against it while it is sent.
   */
  subscribe(sink: SubscriberSink, options: SubscribeOptions = {}): Subscription {
    const subscription = new Subscription(this, sink, options.sessionId, this.nextOrder, options.audience);
    if (this.isClosed) {
      subscription.closed = true;
      sink.close('shutdown');
      return subscription;
    }
    this.subscriptions.add(subscription);
    // An id of a session the subscriber may not hear is treated as unknown: the answer reveals nothing about it.
    const seen = options.lastEventId === undefined || options.lastEventId === '' ? undefined : this.find(options.lastEventId);
    const found = seen !== undefined && subscription.hears(this.owners[seen % this.maxEvents]) ? seen : undefined;
    if (found !== undefined) {
      subscription.cursor = found + 1;
      this.minCursor = Math.min(this.minCursor, subscription.cursor);
      this.scheduleFlush();
      return subscription;
    }
    const hears = options.audience === undefined ? undefined : (owner: string | undefined) => subscription.hears(owner);
    const sessions = this.catchUpSource?.(options.sessionId, this.catchUpMaxSessions, hears) ?? [];
    if (sessions.length > 0) {
      subscription.catchUp = new CatchUp(sessions, Math.floor(this.queueBytes / 2), this.idAt(this.lastHeardBy(subscription)), () => sink.phraseLanguage);
      this.scheduleFlush();
    }
    return subscription;
  }

  /** Writes everything published so far, then waits (at most `timeoutMs`) for transports to drain. */
  async flush(timeoutMs = 5_000): Promise<void> {
    this.deliverAll();
    const drained = Promise.all([...this.subscriptions].map((s) => s.drained()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
  }

  /** Delivers what it can, then ends every subscription. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.deliverAll();
    this.isClosed = true;
    for (const subscription of [...this.subscriptions]) this.drop(subscription, 'shutdown');
  }

  /** @internal Sends a subscriber everything from its cursor to the head of the log. */
  deliver(subscription: Subscription, shared?: Map<number | string, Buffer>, localized?: Map<string, Buffer>): void {
    if (subscription.closed) return;
    if (subscription.cursor < this.firstOrder || this.lagging(subscription)) {
      this.drop(subscription, 'overflow');
      return;
    }
    if (!subscription.writable) return;
    try {
      const catchUp = subscription.catchUp;
      if (catchUp !== undefined) {
        const slice = catchUp.take(CATCH_UP_SLICE_BYTES);
        if (slice === undefined) subscription.catchUp = undefined;
        else if (slice.length > 0 && !subscription.sink.write(slice)) subscription.writable = false;
        // The rest on a later turn: live events wait until the catch-up is out.
        if (subscription.catchUp !== undefined) {
          if (subscription.writable) this.scheduleFlush();
          return;
        }
      }
      if (subscription.writable && subscription.cursor < this.nextOrder) {
        const from = subscription.cursor;
        const language = subscription.sink.phraseLanguage;
        const unfiltered = subscription.sessionId === undefined && subscription.audience === undefined;
        // Subscribers at the same place hearing everything in the same language share one copy.
        const key = language === undefined ? from : `${language} ${from}`;
        let chunk = unfiltered ? shared?.get(key) : undefined;
        if (chunk === undefined) {
          chunk = this.collect(from, subscription, language, localized);
          if (unfiltered) shared?.set(key, chunk);
        }
        subscription.cursor = this.nextOrder;
        if (chunk.length > 0 && !subscription.sink.write(chunk)) subscription.writable = false;
      }
    } catch {
      this.remove(subscription);
      return;
    }
    subscription.notifyIfDrained();
  }

  /** @internal A subscriber closed its subscription (not a dropped connection): settle what only it could answer. */
  closedBy(subscription: Subscription): void {
    if (this.replies !== undefined) expireOnClose(subscription, this.subscriptions, this.replies, this.sessionOwners);
  }

  /** @internal */
  remove(subscription: Subscription): void {
    if (subscription.closed) return;
    subscription.closed = true;
    subscription.catchUp = undefined;
    this.subscriptions.delete(subscription);
    subscription.notifyIfDrained();
  }

  /** Copies the frames from `from` to the head that the subscriber hears (its session, its principal's, in its language) out of the ring. */
  private collect(from: number, subscription: Subscription, language: PhraseLanguage | undefined, localized: Map<string, Buffer> | undefined): Buffer {
    const parts: Buffer[] = [];
    let total = 0;
    for (let order = from; order < this.nextOrder; order++) {
      const slot = order % this.maxEvents;
      if (!subscription.hearsEventOf(this.sessions[slot]!, this.owners[slot])) continue;
      const start = this.starts[slot]!;
      let part = this.ring.subarray(start, start + this.lengths[slot]!);
      const phrases = this.phrases[slot];
      if (language !== undefined && phrases !== undefined && phrases.language !== language) {
        // Re-said once per delivery round for every subscriber in that language.
        const key = `${language} ${order}`;
        part = localized?.get(key) ?? localizedFrame(part, phrases, language);
        localized?.set(key, part);
      }
      parts.push(part);
      total += part.length;
    }
    // A copy: the ring region may be overwritten before the socket has sent it.
    return Buffer.concat(parts, total);
  }

  private lagging(subscription: Subscription): boolean {
    const behind = this.nextOrder - subscription.cursor;
    if (behind === 0 || subscription.writable) return false;
    if (behind > this.queueEvents) return true;
    let bytes = subscription.catchUp?.written ?? 0;
    for (let order = subscription.cursor; order < this.nextOrder; order++) {
      bytes += this.lengths[order % this.maxEvents]!;
      if (bytes > this.queueBytes) return true;
    }
    return false;
  }

  /** Finds a retained event by id, newest first, comparing the id bytes inside each frame. */
  private find(eventId: string): number | undefined {
    const id = Buffer.from(`${eventId}\n`);
    for (let order = this.nextOrder - 1; order >= this.firstOrder; order--) {
      const slot = order % this.maxEvents;
      const at = this.starts[slot]! + EVENT_FRAME_ID_OFFSET;
      if (this.ring.compare(id, 0, id.length, at, at + id.length) === 0) return order;
    }
    return undefined;
  }

  /** Order of the newest retained event the subscriber hears (-1 when none), so a catch-up's position names none of another principal's. */
  private lastHeardBy(subscription: Subscription): number {
    if (subscription.audience === undefined) return this.nextOrder - 1;
    for (let order = this.nextOrder - 1; order >= this.firstOrder; order--) {
      if (subscription.hears(this.owners[order % this.maxEvents])) return order;
    }
    return -1;
  }

  /** The id of a retained event, read from its frame. */
  private idAt(order: number): string | undefined {
    if (order < this.firstOrder || order >= this.nextOrder) return undefined;
    const at = this.starts[order % this.maxEvents]! + EVENT_FRAME_ID_OFFSET;
    return this.ring.toString('latin1', at, this.ring.indexOf(0x0a, at));
  }

  private evictOldest(): void {
    if (this.firstOrder >= this.minCursor) this.catchUpBefore(this.firstOrder);
    const slot = this.firstOrder % this.maxEvents;
    this.usedBytes -= this.lengths[slot]!;
    this.sessions[slot] = undefined;
    this.owners[slot] = undefined;
    this.phrases[slot] = undefined;
    this.firstOrder++;
  }

  /**
   * Evicts, oldest first, the retained events whose bytes lie in [start, start + length):
   * in a ring the oldest events are the ones just after the write position.
   */
  private evictOverlapping(start: number, length: number): void {
    while (this.firstOrder < this.nextOrder) {
      const slot = this.firstOrder % this.maxEvents;
      const oldStart = this.starts[slot]!;
      const overlaps = oldStart < start + length && oldStart + this.lengths[slot]! > start;
      if (!overlaps) return;
      this.evictOldest();
    }
  }

  /**
   * Before event `order` leaves the ring, a subscriber that has not been sent it
   * yet gets it now if its transport can take it, or is disconnected: a burst
   * larger than the window between two deliveries must not skip anyone's events.
   */
  private catchUpBefore(order: number): void {
    let min = Infinity;
    for (const subscription of [...this.subscriptions]) {
      if (subscription.cursor <= order) {
        if (subscription.writable) this.deliver(subscription);
        if (!subscription.closed && subscription.cursor <= order) this.drop(subscription, 'overflow');
      }
      if (!subscription.closed) min = Math.min(min, subscription.cursor);
    }
    this.minCursor = min === Infinity ? this.nextOrder : min;
  }

  private drop(subscription: Subscription, reason: 'overflow' | 'shutdown'): void {
    this.remove(subscription);
    try {
      subscription.sink.close(reason);
    } catch {
      // The transport is gone either way.
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      // Delivery is our own I/O: it must not show up in the user's traces.
      context.with(suppressTracing(ROOT_CONTEXT), () => this.deliverAll());
    });
  }

  private deliverAll(): void {
    const shared = new Map<number | string, Buffer>();
    const localized = new Map<string, Buffer>();
    for (const subscription of [...this.subscriptions]) this.deliver(subscription, shared, localized);
    if (this.asked.length > 0 && this.replies !== undefined) {
      const asked = this.asked;
      this.asked = [];
      expireUnanswerable(asked, this.subscriptions, this.replies);
    }
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
