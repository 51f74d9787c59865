import type { Worker } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import type { CatchUpSession } from '../../../hub/CatchUp.js';
import type { SerializedEvent } from '../../../hub/SerializedEvent.js';
import { LimitEpisode, type LimitReached } from '../../../limits.js';
import type { Producer } from '../../../protocol/index.js';
import { Tally } from '../../../Tally.js';
import type { ReplyRequest } from '../../../translate/TranslatorOptions.js';
import { describe, diagLevel, loadWorker } from '../../worker/workerThreads.js';
import type { OtlpRecords } from '../recordsFromOtlp.js';
import { IntakeUnavailable, InvalidExport, type DecodedIngest, type SpanIntake } from '../SpanIntake.js';
import { splitTraceRequest } from './splitTraceRequest.js';
import type { IngestResult } from '../TraceAssembler.js';
import { CatchUpMirror } from './CatchUpMirror.js';
import type { Effect, FromTranslation, PackedEvents, ToTranslation, TranslationBounds, TranslationUsage, TranslationWorkerData } from './TranslationProtocol.js';

/** The receiver's bounds (TranslationBounds) hold for all the workers together: one count each, in shared memory. */
export interface TranslationWorkersOptions extends TranslationBounds {
  /** Worker threads; each trace is translated by one of them (by its trace id). */
  readonly workers: number;
  readonly producer: Producer;
  /** Where the translated events go (the hub backend), in each worker's order. */
  readonly publish: (event: SerializedEvent, owner: string | undefined) => void;
  readonly onReplyRequested: (request: ReplyRequest) => void;
  readonly onSessionClosed: (sessionId: string) => void;
  readonly onViolation: (message: string) => void;
  readonly onLimit: (reached: LimitReached) => void;
}

interface Shard {
  readonly index: number;
  readonly worker: Worker;
  readonly ready: Promise<void>;
  usage: TranslationUsage;
  alive: boolean;
}

/** A worker's answer: an export's outcome (with what decoding it found), its memory, or nothing. */
type Answer = IngestResult | DecodedIngest | number | undefined;

interface Waiting {
  readonly shard: number;
  readonly resolve: (value: Answer) => void;
  readonly reject: (error: Error) => void;
}

/** How long `close` waits for a worker to place its held spans and end its sessions. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The receiver's translation spread over worker threads: the receiver's thread
 * decodes each export and hands every trace to the worker its trace id falls
 * to, so each trace stays in order; the workers assemble, translate and
 * serialise, and the receiver's thread only publishes what they send back, in
 * the order they did it. Questions are registered before their events are
 * published, as in one thread. A worker that dies is replaced (its open
 * sessions are lost) and the exports it held are answered with a retryable status.
 */
export class TranslationWorkers implements SpanIntake {
  /** Where every worker's open sessions stand, for catch-ups. */
  readonly mirror: CatchUpMirror;
  private readonly shards: Shard[] = [];
  private readonly data: TranslationWorkerData;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closing: Promise<void> | undefined;
  /** The counts every worker holds the bounds with. */
  private readonly openSessions = new Tally();
  private readonly heldSpans = new Tally();
  /** Each worker reaches the receiver-wide bounds; the receiver tells once per episode (the last worker's words). */
  private readonly episodes: Partial<Record<LimitReached['limit'], { episode: LimitEpisode; reached?: LimitReached }>> = {};

  constructor(private readonly options: TranslationWorkersOptions) {
    const count = Math.max(1, Math.floor(options.workers));
    const { producer, maxSessions, maxSpansPerSession, quietMs, maxHeldSpansPerTrace, maxHeldSpans } = options;
    this.data = {
      producer,
      maxSessions,
      maxSpansPerSession,
      quietMs,
      maxHeldSpansPerTrace,
      maxHeldSpans,
      openSessions: this.openSessions.buffer,
      heldSpans: this.heldSpans.buffer,
      diagLevel: diagLevel(),
    };
    this.mirror = new CatchUpMirror((shard, sessionId, time) => this.post(shard, { type: 'restamp', sessionId, time }));
    for (let index = 0; index < count; index++) this.shards.push(this.start(index));
  }

  /** Resolves once every worker has loaded (exports sent before wait for them). */
  async ready(): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.ready));
  }

  get workers(): number {
    return this.shards.length;
  }

  /** The worker threads as they are now, a dead one's replacement included (for diagnostics and tests). */
  get threads(): readonly Worker[] {
    return this.shards.map((shard) => shard.worker);
  }

  /** Every worker's stores against the receiver's bounds, as each last reported them. */
  get usage(): TranslationUsage {
    const total = (size: (usage: TranslationUsage) => number) => this.shards.reduce((sum, shard) => sum + size(shard.usage), 0);
    const { maxSessions, maxSpansPerSession, maxHeldSpans, maxHeldSpansPerTrace } = this.data;
    return {
      sessions: { size: total((usage) => usage.sessions.size), limit: maxSessions },
      // Each worker's spans outliving its closed sessions may hold up to the per-session bound.
      spans: { size: total((usage) => usage.spans.size), limit: (maxSessions + this.shards.length) * maxSpansPerSession, perSession: maxSpansPerSession },
      heldSpans: { size: total((usage) => usage.heldSpans.size), limit: maxHeldSpans, traces: total((usage) => usage.heldSpans.traces), perTrace: maxHeldSpansPerTrace },
    };
  }

  ingest(records: OtlpRecords): Promise<IngestResult> {
    if (this.closing !== undefined) return Promise.reject(new IntakeUnavailable('The receiver is stopping; retry later.'));
    const parts = this.shards.map(() => ({ ended: [] as OtlpRecords['ended'], signals: [] as OtlpRecords['signals'] }));
    for (const span of records.ended) parts[shardOf(span.traceId, parts.length)]!.ended.push(span);
    for (const signal of records.signals) parts[shardOf(signal.record.traceId, parts.length)]!.signals.push(signal);
    const asked = parts.flatMap((part, shard) => (part.ended.length + part.signals.length === 0 ? [] : [this.request(shard, (id) => ({ type: 'ingest', id, records: part })) as Promise<IngestResult>]));
    return everyPart(asked).then(combined);
  }

  /**
   * A protobuf export, split by trace id without decoding it (splitTraceRequest): each worker
   * decodes its own part, so decoding is spread over the workers too.
   */
  async ingestProtobuf(bytes: Uint8Array): Promise<DecodedIngest> {
    if (this.closing !== undefined) throw new IntakeUnavailable('The receiver is stopping; retry later.');
    const count = this.shards.length;
    let parts: Uint8Array[];
    try {
      parts = count === 1 ? [bytes] : splitTraceRequest(bytes, count, (traceId) => shardOfBytes(traceId, count));
    } catch (error) {
      throw new InvalidExport((error as Error).message);
    }
    const asked = parts.flatMap((part, shard) => {
      if (part.length === 0) return [];
      // Its own buffer, handed over rather than copied.
      const own = new Uint8Array(part);
      return [this.request(shard, (id) => ({ type: 'ingestProtobuf', id, bytes: own }), [own.buffer]) as Promise<DecodedIngest>];
    });
    const answers = await everyPart(asked);
    const sum = (of: (answer: DecodedIngest) => number) => answers.reduce((total, answer) => total + of(answer), 0);
    return {
      ...combined(answers),
      decoded: {
        spans: sum((answer) => answer.decoded.spans),
        signals: sum((answer) => answer.decoded.signals),
        rejected: sum((answer) => answer.decoded.rejected),
        errors: answers.flatMap((answer) => answer.decoded.errors).slice(0, 5),
      },
    };
  }

  /** Heap and off-heap bytes of every worker, after full collections when the process runs with `--expose-gc`. */
  async memory(): Promise<number> {
    const bytes = await Promise.all(this.shards.map((shard) => this.request(shard.index, (id) => ({ type: 'memory', id }))));
    return bytes.reduce<number>((total, each) => total + (each as number), 0);
  }

  catchUp(sessionFilter: string | undefined, maxSessions: number, hears?: (owner: string | undefined) => boolean): CatchUpSession[] {
    return this.mirror.catchUp(sessionFilter, maxSessions, Date.now(), hears);
  }

  /** Places every held span, ends the open sessions (cancelled, by system) and stops the workers. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = Promise.all(this.shards.map((shard) => this.request(shard.index, (id) => ({ type: 'close', id })).catch(() => undefined)));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
      await Promise.race([closed, timeout]);
      clearTimeout(timer);
      for (const shard of this.shards) shard.alive = false;
      await Promise.all(this.shards.map((shard) => shard.worker.terminate()));
    })();
    return this.closing;
  }

  private start(index: number): Shard {
    const worker = loadWorker(import.meta.url, 'translationWorker', this.data);
    // Only an answer being awaited keeps the process alive (see `request`).
    worker.unref();
    let loaded!: () => void;
    const none = { size: 0, limit: 0 };
    const shard: Shard = {
      index,
      worker,
      ready: new Promise((resolve) => (loaded = resolve)),
      usage: { sessions: none, spans: { ...none, perSession: 0 }, heldSpans: { ...none, traces: 0, perTrace: 0 } },
      alive: true,
    };
    worker.on('message', (message: FromTranslation) => (message.type === 'ready' ? loaded() : this.onMessage(shard, message)));
    worker.once('exit', () => loaded());
    worker.on('error', (error) => this.lost(shard, describe(error)));
    worker.on('exit', (code) => this.lost(shard, `it exited with code ${code}`));
    return shard;
  }

  private request(shard: number, message: (id: number) => ToTranslation, transfer: ArrayBuffer[] = []): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) for (const each of this.shards) each.worker.ref();
      this.waiting.set(id, { shard, resolve, reject });
      this.post(shard, message(id), transfer);
    });
  }

  private settle(id: number, outcome: (waiting: Waiting) => void): void {
    const waiting = this.waiting.get(id);
    if (waiting === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) for (const shard of this.shards) shard.worker.unref();
    outcome(waiting);
  }

  private post(shard: number, message: ToTranslation, transfer: ArrayBuffer[] = []): void {
    const target = this.shards[shard];
    if (target?.alive) target.worker.postMessage(message, transfer);
  }

  private onMessage(shard: Shard, message: Exclude<FromTranslation, { type: 'ready' }>): void {
    switch (message.type) {
      case 'effects': {
        shard.usage = message.usage;
        // The events and the other effects, in the order the worker had them.
        const { events } = message;
        let next = 0;
        for (const effect of message.effects) {
          for (; next < effect.at; next++) this.publish(events, next);
          this.apply(shard, effect);
        }
        for (; next < events.ends.length; next++) this.publish(events, next);
        this.episodes.sessions?.episode.observe(this.openSessions.size, this.data.maxSessions);
        this.episodes.heldSpans?.episode.observe(this.heldSpans.size, this.data.maxHeldSpans);
        break;
      }
      case 'ingested':
        shard.usage = message.usage;
        this.settle(message.id, (waiting) => waiting.resolve(message.decoded === undefined ? message.result : { ...message.result, decoded: message.decoded }));
        break;
      case 'invalid':
        this.settle(message.id, (waiting) => waiting.reject(new InvalidExport(message.message)));
        break;
      case 'closed':
        this.settle(message.id, (waiting) => waiting.resolve(undefined));
        break;
      case 'memory':
        this.settle(message.id, (waiting) => waiting.resolve(message.bytes));
        break;
      case 'diag':
        diag[message.level](message.message);
        break;
    }
  }

  /** Event `i` of a packed batch, to where events go. */
  private publish(events: PackedEvents, i: number): void {
    const event: SerializedEvent = {
      eventId: events.eventIds[i]!,
      sessionId: events.sessionIds[i]!,
      type: events.types[i]!,
      json: events.json.slice(i === 0 ? 0 : events.ends[i - 1], events.ends[i]),
      phrases: events.phrases[i],
      replyToken: events.replyTokens[i],
    };
    try {
      this.options.publish(event, events.owners[i]);
    } catch (error) {
      diag.error('aaep-otel: publishing a translation worker\'s event failed', error);
    }
  }

  private apply(shard: Shard, effect: Effect): void {
    try {
      switch (effect.kind) {
        case 'ask':
          return this.options.onReplyRequested(effect.request);
        case 'closed':
          return this.options.onSessionClosed(effect.sessionId);
        case 'snapshot':
          return this.mirror.update(shard.index, effect.message);
        case 'gone':
          return this.mirror.forget(effect.sessionId);
        case 'violation':
          return this.options.onViolation(effect.message);
        case 'limit':
          return this.reportLimit(effect.reached);
      }
    } catch (error) {
      diag.error('aaep-otel: carrying out a translation worker\'s output failed', error);
    }
  }

  private reportLimit(reached: LimitReached): void {
    // Per-trace and per-session bounds belong to one worker: told as it tells them.
    if (reached.limit !== 'sessions' && reached.limit !== 'heldSpans') return this.options.onLimit(reached);
    const shared = (this.episodes[reached.limit] ??= { episode: new LimitEpisode(() => this.options.onLimit(shared.reached!)) });
    shared.reached = reached;
    shared.episode.refused();
  }

  /** A worker died: what it was asked is answered retryable, and a fresh one takes its shard. */
  private lost(shard: Shard, why: string): void {
    if (!shard.alive) return;
    shard.alive = false;
    diag.error(`aaep-otel: translation worker ${shard.index} stopped (${why}); its open sessions are lost and a new worker takes its traces`);
    this.mirror.forgetShard(shard.index);
    // What it held no longer counts against the bounds (as it last reported).
    this.openSessions.add(-shard.usage.sessions.size);
    this.heldSpans.add(-shard.usage.heldSpans.size);
    for (const [id, waiting] of this.waiting) {
      if (waiting.shard === shard.index) this.settle(id, (each) => each.reject(new IntakeUnavailable('A translation worker stopped; retry the export.')));
    }
    if (this.closing === undefined) this.shards[shard.index] = this.start(shard.index);
  }
}

/** The worker a trace belongs to: its id's last 32 bits (random in W3C trace ids), modulo the workers. */
export function shardOf(traceId: string, workers: number): number {
  const low = Number.parseInt(traceId.slice(-8), 16);
  return workers === 1 || Number.isNaN(low) ? 0 : low % workers;
}

/** As `shardOf`, from a trace id's 16 bytes (the same worker for the same id in either encoding). */
export function shardOfBytes(traceId: Uint8Array | undefined, workers: number): number {
  if (workers === 1 || traceId === undefined || traceId.length !== 16) return 0;
  return (((traceId[12]! << 24) | (traceId[13]! << 16) | (traceId[14]! << 8) | traceId[15]!) >>> 0) % workers;
}

/** Every part's answer, once all are in: an export is answered only when none is still being translated. */
async function everyPart<T>(asked: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(asked);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** The workers' answers as one receiver gives them: one refusal per bound, the spans summed. */
function combined(results: readonly IngestResult[]): IngestResult {
  const spans = new Map<string, number>();
  for (const { spans: count, why } of results.flatMap((result) => result.reasons)) spans.set(why, (spans.get(why) ?? 0) + count);
  return { refused: results.reduce((total, result) => total + result.refused, 0), reasons: [...spans].map(([why, count]) => ({ spans: count, why })) };
}
