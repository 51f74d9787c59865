import { ROOT_CONTEXT, context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Redis } from 'ioredis';
import { HUB_DEFAULTS, type EventHub } from '../EventHub.js';
import type { AaepEvent } from '../protocol/index.js';
import { connectRedis } from './connectRedis.js';
import type { HubBackend } from './HubBackend.js';

export interface RedisHubOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly url: string;
  /** Stream entries kept (XADD MAXLEN ~). Default: the hub's retention, 10,000. */
  readonly retentionEvents?: number;
  /** How long an event id is remembered to store a re-delivered event once. Default 3,600 s. */
  readonly dedupSeconds?: number;
  /** Prefix of every key, so several deployments can share one Redis. Default "aaep". */
  readonly keyPrefix?: string;
  /** Events waiting for Redis before new ones are dropped (and reported). Default 10,000. */
  readonly maxPendingWrites?: number;
  /** How long `stored()` waits for Redis before an export is answered with a retryable status. Default 5 s. */
  readonly storeTimeoutMs?: number;
  /** A connection to append with, shared with stores whose writes must be ordered with the stream's (left open by close()). */
  readonly connection?: Redis;
}

/** The key names every instance agrees on; the hash tag keeps them in one Redis Cluster slot. */
export function hubKeys(prefix = 'aaep'): { stream: string; event: (eventId: string) => string; prefix: string } {
  return { prefix: `${prefix}:{hub}`, stream: `${prefix}:{hub}:events`, event: (eventId) => `${prefix}:{hub}:event:${eventId}` };
}

/**
 * Stores an event unless its id was stored before, atomically: one script run
 * checks the id (SET NX, with a TTL) and appends (XADD, trimmed to the retention),
 * then maps the event id to its stream entry id. An event produced twice — an
 * OTLP retry that reached two instances — is therefore stored once.
 */
const APPEND_ONCE = `
if redis.call('SET', KEYS[2], '', 'NX', 'EX', ARGV[1]) then
  local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'i', ARGV[3], 's', ARGV[4], 'e', ARGV[5])
  redis.call('SET', KEYS[2], id, 'EX', ARGV[1])
  return id
end
return false`;

type ScriptedRedis = Redis & {
  aaepAppendOnce(stream: string, eventKey: string, ttl: number, maxLen: number, eventId: string, sessionId: string, json: string): Promise<string | null>;
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
  private readonly writes = new Set<Promise<void>>();
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
    this.dedupSeconds = options.dedupSeconds ?? 3_600;
    this.maxPending = options.maxPendingWrites ?? 10_000;
    this.storeTimeoutMs = options.storeTimeoutMs ?? 5_000;
    this.ownsWriter = options.connection === undefined;
    this.writer = (options.connection ?? connectRedis(options.url, 'hub writer')) as ScriptedRedis;
    this.writer.defineCommand('aaepAppendOnce', { numberOfKeys: 2, lua: APPEND_ONCE });
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

  publish(event: AaepEvent): void {
    if (this.closing !== undefined) return;
    if (this.writes.size >= this.maxPending) {
      this.failures++;
      diag.error(`aaep-otel: ${this.writes.size} events are waiting for Redis; dropping ${event.event_id}`);
      return;
    }
    const write: Promise<void> = context
      .with(suppressTracing(ROOT_CONTEXT), () =>
        this.writer.aaepAppendOnce(this.keys.stream, this.keys.event(event.event_id), this.dedupSeconds, this.retentionEvents, event.event_id, event.session_id, JSON.stringify(event)),
      )
      .then(
        (entryId) => {
          if (entryId !== null && entryIdAfter(entryId, this.lastAppendedId)) this.lastAppendedId = entryId;
        },
        (error: unknown) => {
          this.failures++;
          diag.error(`aaep-otel: Redis refused event ${event.event_id}`, error);
        },
      )
      .finally(() => this.writes.delete(write));
    this.writes.add(write);
  }

  /** Waits for the writes issued so far; rejects if one failed or Redis did not answer in time. */
  async stored(): Promise<void> {
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
      if (this.ownsWriter) await this.writer.quit().catch(() => this.writer.disconnect());
    })();
    return this.closing;
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
        const eventId = fields[1];
        const sessionId = fields[3];
        const json = fields[5];
        if (fields[0] !== 'i' || fields[2] !== 's' || fields[4] !== 'e' || eventId === undefined || sessionId === undefined || json === undefined) continue;
        this.hub.publishSerialized(eventId, sessionId, json);
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
