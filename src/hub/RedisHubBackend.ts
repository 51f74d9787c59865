import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Redis } from 'ioredis';
import type { EventHub } from './EventHub.js';
import { HUB_DEFAULTS } from './EventHubOptions.js';
import type { AaepEvent } from '../protocol/index.js';
import { closeRedis, connectRedis } from './connectRedis.js';
import type { HubBackend } from './HubBackend.js';
import { OpenSessionLedger } from './OpenSessionLedger.js';
import { readStreamEntry } from './readStreamEntry.js';
import { serializeEvent, type SerializedEvent } from './SerializedEvent.js';
import { APPEND_ONCE, RENEW, SWEEP } from './redisHubScripts.js';
import { phrasesOf } from '../translate/messages/EventPhrases.js';
import { readEnvNumber } from '../env.js';

export interface RedisHubOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly url: string;
  /** Stream entries kept (XADD MAXLEN ~). Default: the hub's retention, 10,000. */
  readonly retentionEvents?: number;
  /** How long an event id is remembered to store a re-delivered event once. Else `AAEP_HUB_DEDUP_SECONDS`, else 3,600 s. */
  readonly dedupSeconds?: number;
  /** Prefix of every key, so several deployments can share one Redis. Default "aaep". */
  readonly keyPrefix?: string;
  /** Events waiting for Redis before new ones are dropped (and reported). Else `AAEP_HUB_MAX_PENDING_WRITES`, else 10,000. */
  readonly maxPendingWrites?: number;
  /** How long `stored()` waits for Redis before an export is answered with a retryable status. Else `AAEP_HUB_STORE_TIMEOUT_MS`, else 5 s. */
  readonly storeTimeoutMs?: number;
  /**
   * A session's owner (the instance that stored its start) renews a lease this
   * long; when it lapses, any instance ends the session legally. Else `AAEP_HUB_LEASE_MS`, else 10 s.
   */
  readonly leaseMs?: number;
  /** Open sessions remembered for catch-up (the oldest is forgotten first). Else `AAEP_HUB_OPEN_SESSIONS`, else 10,000. */
  readonly openSessions?: number;
  /** A connection to append with, shared with stores whose writes must be ordered with the stream's (left open by close()). */
  readonly connection?: Redis;
}

/** The key names every instance agrees on; the hash tag keeps them in one Redis Cluster slot. */
export function hubKeys(prefix = 'aaep') {
  const base = `${prefix}:{hub}`;
  return {
    prefix: base,
    stream: `${base}:events`,
    /** Sessions started and not ended, for the sweeper. */
    open: `${base}:open`,
    event: (eventId: string) => `${base}:event:${eventId}`,
    /** The owner's instance id, expiring unless renewed. */
    lease: (sessionId: string) => `${base}:lease:${sessionId}`,
    /** The instance that stored the session's start: the only one that may take the lease again. */
    origin: (sessionId: string) => `${base}:origin:${sessionId}`,
    /** Set by the terminal event: nothing more of the session is stored. */
    ended: (sessionId: string) => `${base}:ended:${sessionId}`,
  };
}

/** Events per script run: an export's events go together, without holding Redis for long. */
const APPEND_BATCH = 256;

const TERMINAL_TYPES = new Set(['aaep:agent.session.completed', 'aaep:agent.session.errored', 'aaep:agent.session.cancelled']);

type ScriptedRedis = Redis & {
  aaepAppendOnce(keyCount: number, ...args: Array<string | number>): Promise<Array<string | null>>;
  aaepRenew(keyCount: number, ...args: Array<string | number>): Promise<number>;
  aaepSweep(...args: Array<string | number>): Promise<number>;
};

const READ_BATCH = 512;
const BLOCK_MS = 2_000;

/**
 * The hub on Redis Streams. Publishing appends to the shared stream (serialised
 * once, idempotent by event id); a reader loop follows the stream (XREAD BLOCK)
 * into the local ring, which keeps fan-out, framing, backpressure and
 * `Last-Event-ID` resume exactly as in one process. Every instance's ring holds
 * the same events in the stream's order, so a subscriber may resume on any
 * instance. At start the reader replays the retained stream, so a new or
 * restarted instance can resume ids it never produced.
 */
export class RedisHubBackend implements HubBackend {
  readonly kind = 'redis';
  private readonly writer: ScriptedRedis;
  private readonly ownsWriter: boolean;
  private readonly reader: Redis;
  private readonly keys: ReturnType<typeof hubKeys>;
  private readonly retentionEvents: number;
  private readonly dedupSeconds: number;
  private readonly maxPending: number;
  private readonly storeTimeoutMs: number;
  private readonly leaseMs: number;
  private readonly instanceId = randomUUID();
  /** Sessions whose lease this instance holds. */
  private readonly owned = new Set<string>();
  private readonly ledger: OpenSessionLedger;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly writes = new Set<Promise<void>>();
  /** Published, not yet sent: sent together on the next tick. */
  private batch: Array<{ eventId: string; sessionId: string; role: string; json: string; owner: string; phrases: string }> = [];
  private batchScheduled = false;
  private pendingEvents = 0;
  private failures = 0;
  private lastEntryId = '0-0';
  /** Entry id of this instance's newest append, so close() can wait for the ring to have it. */
  private lastAppendedId = '0-0';
  private caughtUp = false;
  private readonly caughtUpPromise: Promise<void>;
  private markCaughtUp!: () => void;
  private closing: Promise<void> | undefined;
  private readonly loop: Promise<void>;

  constructor(
    readonly hub: EventHub,
    options: RedisHubOptions,
  ) {
    this.keys = hubKeys(options.keyPrefix);
    this.retentionEvents = options.retentionEvents ?? HUB_DEFAULTS.retentionEvents;
    this.dedupSeconds = options.dedupSeconds ?? readEnvNumber('AAEP_HUB_DEDUP_SECONDS') ?? 3_600;
    this.maxPending = options.maxPendingWrites ?? readEnvNumber('AAEP_HUB_MAX_PENDING_WRITES') ?? 10_000;
    this.storeTimeoutMs = options.storeTimeoutMs ?? readEnvNumber('AAEP_HUB_STORE_TIMEOUT_MS') ?? 5_000;
    this.ledger = new OpenSessionLedger(options.openSessions ?? readEnvNumber('AAEP_HUB_OPEN_SESSIONS') ?? 10_000);
    this.ownsWriter = options.connection === undefined;
    this.writer = (options.connection ?? connectRedis(options.url, 'hub writer')) as ScriptedRedis;
    this.leaseMs = options.leaseMs ?? readEnvNumber('AAEP_HUB_LEASE_MS') ?? 10_000;
    this.writer.defineCommand('aaepAppendOnce', { lua: APPEND_ONCE });
    this.writer.defineCommand('aaepRenew', { lua: RENEW });
    this.writer.defineCommand('aaepSweep', { numberOfKeys: 5, lua: SWEEP });
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => void context.with(suppressTracing(ROOT_CONTEXT), task).catch((error: unknown) => diag.debug('aaep-otel: hub upkeep failed', error)), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(50, Math.floor(this.leaseMs / 3)), () => this.renew());
    every(Math.max(50, Math.floor(this.leaseMs / 2)), () => this.sweep());
    this.reader = connectRedis(options.url, 'hub reader');
    this.caughtUpPromise = new Promise((resolve) => (this.markCaughtUp = resolve));
    this.loop = context.with(suppressTracing(ROOT_CONTEXT), () => this.follow());
  }

  /** Both connections up and the ring caught up with the stream. */
  get available(): boolean {
    return this.caughtUp && this.closing === undefined && this.writer.status === 'ready' && this.reader.status === 'ready';
  }

  ready(): Promise<void> {
    return this.caughtUpPromise;
  }

  publish(event: AaepEvent, owner?: string): void {
    this.publishPrepared(serializeEvent(event), owner);
  }

  publishPrepared(event: SerializedEvent, owner?: string): void {
    if (this.closing !== undefined) return;
    if (this.pendingEvents >= this.maxPending) {
      this.failures++;
      diag.error(`aaep-otel: ${this.pendingEvents} events are waiting for Redis; dropping ${event.eventId}`);
      return;
    }
    const role = event.type === 'aaep:agent.session.started' ? 'started' : TERMINAL_TYPES.has(event.type) ? 'terminal' : '';
    // The owner travels beside the event in the stream entry, so every instance's ring scopes it alike.
    this.batch.push({
      eventId: event.eventId,
      sessionId: event.sessionId,
      role,
      json: event.json,
      owner: owner ?? '',
      phrases: event.phrases === undefined ? '' : JSON.stringify(event.phrases),
    });
    this.pendingEvents++;
    if (this.batch.length >= APPEND_BATCH) this.sendBatch();
    else if (!this.batchScheduled) {
      this.batchScheduled = true;
      setImmediate(() => this.sendBatch());
    }
  }

  /** Sends what was published since the last batch in one script run. */
  private sendBatch(): void {
    this.batchScheduled = false;
    if (this.batch.length === 0) return;
    const batch = this.batch.splice(0, this.batch.length);
    const keys = this.keys;
    const eventKeys = batch.flatMap(({ eventId, sessionId }) => [keys.event(eventId), keys.lease(sessionId), keys.origin(sessionId), keys.ended(sessionId)]);
    const eventArgs = batch.flatMap(({ eventId, sessionId, role, json, owner, phrases }) => [eventId, sessionId, role, json, owner, phrases]);
    const write: Promise<void> = context
      .with(suppressTracing(ROOT_CONTEXT), () =>
        this.writer.aaepAppendOnce(2 + eventKeys.length, keys.stream, keys.open, ...eventKeys, this.dedupSeconds, this.retentionEvents, this.instanceId, this.leaseMs, ...eventArgs),
      )
      .then(
        (entryIds) => {
          batch.forEach(({ sessionId, role }, i) => {
            const entryId = entryIds[i] ?? null;
            if (entryId !== null && entryIdAfter(entryId, this.lastAppendedId)) this.lastAppendedId = entryId;
            if (entryId !== null && role === 'started') this.owned.add(sessionId);
            if (role === 'terminal') this.owned.delete(sessionId);
          });
        },
        (error: unknown) => {
          this.failures++;
          diag.error(`aaep-otel: Redis refused ${batch.length} events`, error);
        },
      )
      .finally(() => {
        this.pendingEvents -= batch.length;
        this.writes.delete(write);
      });
    this.writes.add(write);
  }

  /** Waits for the writes issued so far; rejects if one failed or Redis did not answer in time. */
  async stored(): Promise<void> {
    this.sendBatch();
    const failuresBefore = this.failures;
    const pending = [...this.writes];
    if (pending.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.storeTimeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([Promise.all(pending), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') throw new Error('Redis did not store the events in time');
    }
    if (this.failures !== failuresBefore) throw new Error('Redis refused some events');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers) clearInterval(timer);
      this.sendBatch();
      const pending = Promise.all([...this.writes]);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, this.storeTimeoutMs).unref());
      await Promise.race([pending, timeout]);
      // Our own subscribers hear our last events (a shutdown's cancellations) before the reader stops.
      const deadline = Date.now() + this.storeTimeoutMs;
      while (entryIdAfter(this.lastAppendedId, this.lastEntryId) && Date.now() < deadline && this.reader.status === 'ready') {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      this.reader.disconnect();
      await this.loop;
      if (this.ownsWriter) await closeRedis(this.writer);
    })();
    return this.closing;
  }

  /** Keeps this instance's sessions owned. */
  private async renew(): Promise<void> {
    if (this.owned.size === 0 || this.writer.status !== 'ready') return;
    const leases = [...this.owned].map((session) => this.keys.lease(session));
    await this.writer.aaepRenew(leases.length, ...leases, this.instanceId, this.leaseMs);
  }

  /**
   * Ends sessions whose owner stopped renewing (it died): a sample of the open
   * sessions is checked each round, so every instance shares the work and a
   * lapsed session is ended within a few rounds. The sweep script makes sure it
   * happens once, and only if the lease is still gone.
   */
  private async sweep(): Promise<void> {
    if (!this.available) return;
    const sample = (await this.writer.srandmember(this.keys.open, 64)) as string[];
    for (const session of sample) {
      if (this.owned.has(session) || (await this.writer.exists(this.keys.lease(session))) === 1) continue;
      const closing = this.ledger.closing(session);
      if (closing.length === 0) {
        // Its start is no longer retained, so nobody can end it legally; stop tracking it.
        await this.writer.srem(this.keys.open, session);
        continue;
      }
      const triples = closing.flatMap((event) => {
        const phrases = phrasesOf(event);
        return [event.event_id, JSON.stringify(event), phrases === undefined ? '' : JSON.stringify(phrases)];
      });
      const keys = this.keys;
      const owner = this.ledger.ownerOf(session) ?? '';
      const swept = await this.writer.aaepSweep(keys.stream, keys.lease(session), keys.origin(session), keys.ended(session), keys.open, this.dedupSeconds, this.retentionEvents, session, owner, ...triples);
      if (swept === 1) diag.warn(`aaep-otel: ended ${session}: its receiver stopped renewing its lease`);
    }
  }

  /** Follows the stream into the local ring, from the oldest retained entry on. */
  private async follow(): Promise<void> {
    while (this.closing === undefined) {
      let batch: Array<[string, string[]]>;
      try {
        // Catching up reads without blocking, so an empty stream is ready at once.
        const reply = (await (this.caughtUp
          ? this.reader.xread('COUNT', READ_BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', this.keys.stream, this.lastEntryId)
          : this.reader.xread('COUNT', READ_BATCH, 'STREAMS', this.keys.stream, this.lastEntryId))) as Array<[string, Array<[string, string[]]>]> | null;
        batch = reply?.[0]?.[1] ?? [];
      } catch (error) {
        if (this.closing !== undefined) return;
        diag.debug('aaep-otel: reading the shared hub failed; retrying', error);
        await new Promise((resolve) => setTimeout(resolve, 250).unref());
        continue;
      }
      for (const [entryId, fields] of batch) {
        this.lastEntryId = entryId;
        const entry = readStreamEntry(fields);
        if (entry === undefined) continue;
        const { eventId, sessionId, json, owner, phrases } = entry;
        this.hub.publishSerialized(eventId, sessionId, json, owner, phrases);
        try {
          const event = JSON.parse(json) as AaepEvent;
          this.hub.sessionOwners.observe({ type: event.type, sessionId: event.session_id, replyToken: 'reply_token' in event ? event.reply_token : undefined }, owner);
          this.ledger.observe(event, owner);
        } catch {
          // Not ours to judge: the ring already has it; the ledger just cannot follow this session.
        }
      }
      if (!this.caughtUp && batch.length < READ_BATCH) {
        this.caughtUp = true;
        this.markCaughtUp();
      }
    }
  }
}

/** Whether stream entry id `a` ("ms-seq") comes after `b`. */
function entryIdAfter(a: string, b: string): boolean {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  return aMs !== bMs ? aMs > bMs : aSeq > bSeq;
}
