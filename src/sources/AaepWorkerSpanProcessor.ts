import type { Worker } from 'node:worker_threads';
import { diag, type Context, type Exception, type Span as ApiSpan } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { readEnvNumber, readEnvString } from '../env.js';
import { hubOptionsFromEnv } from '../hub/EventHubOptions.js';
import type { Producer } from '../protocol/index.js';
import type { SpanRecord } from '../records.js';
import { ReplyRegistry } from '../agent/ReplyRegistry.js';
import { registerRuntime, unregisterRuntime, type AaepRuntime, type SpanSession } from '../agent/runtime.js';
import { resolveLimit, warnLimit } from '../limits.js';
import type { AaepSpanProcessorOptions } from './AaepSpanProcessor.js';
import { LateClassification } from './LateClassification.js';
import { resolveProducer } from './resolveProducer.js';
import { observeSpanEvents } from './observeSpanEvents.js';
import { createRingBuffer, DEFAULT_RING_BYTES, RingWriter } from './worker/RecordRing.js';
import { hrMillis, RecordEncoder } from './worker/RecordEncoder.js';
import { SpanMembership } from './worker/SpanMembership.js';
import type { FromWorker, ToWorker, TranslatorWorkerData, WorkerHubOptions, WorkerServer, WorkerServerOptions } from './worker/WorkerProtocol.js';
import { diagLevel, loadWorker } from './worker/workerThreads.js';

export interface AaepWorkerSpanProcessorOptions extends Omit<AaepSpanProcessorOptions, 'hub'> {
  /** Options for the hub the worker keeps (retention, subscriber bounds); the same variables as the in-thread hub. */
  readonly hub?: WorkerHubOptions;
  /** Where and how the worker serves the AAEP endpoints; each option falls back to its `AAEP_*` variable as `startAaepServer`'s do. */
  readonly server?: WorkerServerOptions;
  /** Bytes of the ring the agent's thread writes records into (a power of two). Else `AAEP_WORKER_RING_BYTES`, else 8 MiB. */
  readonly ringBytes?: number;
  /** Longest the agent's thread waits for room when the worker is behind, before a record is dropped. Else `AAEP_WORKER_MAX_WAIT_MS`, else 5,000. */
  readonly maxWaitMs?: number;
}

const DEFAULT_MAX_WAIT_MS = 5_000;
/** Back-pressure is reported at most this often, with the time waited since. */
const BEHIND_REPORT_MS = 10_000;
/** A batch this large goes to the worker without waiting for the end of the turn. */
const BATCH_BYTES = 8 * 1024;

/**
 * The AaepSpanProcessor with translation off the agent's thread. Its hooks copy
 * what the translator needs straight from the span into compact records in a
 * shared ring; a worker thread translates them, keeps the hub and serves the AAEP
 * endpoints (`server` says where). The agent's event loop pays for the copy only:
 * no event is built, serialised or written to a socket on it.
 *
 * What stays exact: records reach the worker in the order spans lived, at the latest
 * at the end of the current turn of the agent's event loop (a tool that awaits I/O
 * lets them go), so `tool.invoked` is on the wire while the tool runs; `confirm()` registers its token here before its question is
 * recorded; `forceFlush` resolves once the worker has delivered everything recorded
 * before the call; `shutdown` ends open sessions as cancelled and stops the worker.
 * When the worker falls behind, the ring fills and the agent's thread waits for room
 * (reported through `diag`): bounded memory, nothing dropped unless the worker is
 * stuck for `maxWaitMs`. The worker does not keep the process alive.
 */
export class AaepWorkerSpanProcessor implements SpanProcessor, AaepRuntime {
  /** Where answers arrive: the worker checks each reply, then sends the decision here. */
  readonly replies: ReplyRegistry;
  readonly producer: Producer;
  /** Where the worker serves the AAEP endpoints, once it listens; rejects if it could not. */
  readonly server: Promise<WorkerServer>;
  private readonly worker: Worker;
  private readonly writer: RingWriter;
  private readonly encoder = new RecordEncoder();
  private readonly membership: SpanMembership;
  private readonly hooked = new WeakSet<Span>();
  private readonly late = new LateClassification((span) => this.start(span));
  private readonly answers = new Map<number, () => void>();
  private readonly maxWaitMs: number;
  private nextMessage = 0;
  private batchQueued = false;
  /** Waits the application has on the worker; the worker starts held, until it listens. */
  private holds = 1;
  private running = true;
  private waitedMs = 0;
  private lastBehindReport = -Infinity;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: AaepWorkerSpanProcessorOptions = {}) {
    this.producer = resolveProducer(options);
    const maxSessions = resolveLimit('sessions', options.maxSessions);
    const maxSpansPerSession = resolveLimit('spansPerSession', options.maxSpansPerSession);
    this.membership = new SpanMembership(maxSessions, maxSpansPerSession);
    this.replies = new ReplyRegistry({ maxPending: options.maxPendingReplies, onLimit: warnLimit });
    this.maxWaitMs = options.maxWaitMs ?? readEnvNumber('AAEP_WORKER_MAX_WAIT_MS') ?? DEFAULT_MAX_WAIT_MS;
    const ring = ringBuffer(options.ringBytes ?? readEnvNumber('AAEP_WORKER_RING_BYTES') ?? DEFAULT_RING_BYTES);
    this.writer = new RingWriter(ring);
    const data: TranslatorWorkerData = {
      ring,
      producer: this.producer,
      language: options.language ?? readEnvString('AAEP_LANGUAGE'),
      maxSessions,
      maxSpansPerSession,
      maxPendingReplies: options.maxPendingReplies,
      hubUrl: options.hubUrl ?? readEnvString('AAEP_HUB_URL'),
      hub: { ...hubOptionsFromEnv(), ...options.hub },
      server: options.server ?? {},
      diagLevel: diagLevel(),
    };
    this.worker = loadWorker(import.meta.url, 'worker/translatorWorker', data);
    this.server = new Promise<WorkerServer>((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve(message.server);
        else if (message.type === 'failed') reject(new Error(`aaep-otel: the translator worker could not serve: ${message.message}`));
        else this.onMessage(message);
      });
      this.worker.once('exit', (code) => {
        this.running = false;
        reject(new Error(`aaep-otel: the translator worker exited (${code})`));
        for (const done of this.answers.values()) done();
        this.answers.clear();
        if (this.shutdownPromise === undefined) diag.error(`aaep-otel: the translator worker exited (${code}); spans are no longer translated.`);
      });
    });
    // Awaiting it is optional; a failure is also reported here.
    this.server.catch((error: unknown) => diag.error(String(error)));
    this.worker.on('error', reportError);
    // Held until it listens, so an application awaiting `server` is not ended under it; then like an unref'd timer.
    const release = () => this.release();
    this.server.then(release, release);
    registerRuntime(this);
  }

  /** The open session a span belongs to (for `confirm`, `clarify`, `cancelSession`). */
  sessionOf(span: ApiSpan): SpanSession | undefined {
    const { traceId, spanId } = span.spanContext();
    const session = this.membership.sessionOf(traceId, spanId);
    return session === undefined ? undefined : { sessionId: session.sessionId, root: session.root };
  }

  onStart(span: Span, _parentContext: Context): void {
    if (this.shutdownPromise === undefined) this.late.onStart(span);
  }

  private start(span: Span): void {
    const { traceId, spanId, traceFlags } = span.spanContext();
    const parentSpanId = span.parentSpanContext?.spanId;
    const handle = this.membership.join(traceId, spanId, parentSpanId, span.attributes, span);
    if (handle === 0) return;
    this.sent(this.encoder.started(handle, traceId, spanId, parentSpanId, undefined, traceFlags, span.name, hrMillis(span.startTime), span.attributes));
    if (observeSpanEvents(span, (event) => this.sent(this.encoder.event(handle, traceId, spanId, event)))) this.hooked.add(span);
  }

  onEnd(span: ReadableSpan): void {
    if (this.shutdownPromise !== undefined) return;
    try {
      const { traceId, spanId } = span.spanContext();
      this.late.release(spanId);
      const handle = this.membership.leave(traceId, spanId);
      if (handle === 0) return;
      this.sent(this.encoder.ended(handle, span, this.hooked.has(span as Span) ? [] : span.events));
    } catch (error) {
      reportError(error);
    }
  }

  /**
   * Span lifecycle records from a source that is not OpenTelemetry (aaep-otel/openai-agents).
   * All of them go to the worker, whose translator decides, as in-thread: those of followed
   * spans by handle, the rest with their ids.
   */
  acceptRecord(record: SpanRecord): void {
    if (this.shutdownPromise !== undefined) return;
    try {
      const { traceId, spanId } = record;
      const handle =
        record.kind === 'started' ? this.membership.join(traceId, spanId, record.parentSpanId ?? record.sessionSpanId, record.attributes, undefined)
        : record.kind === 'ended' ? this.membership.leave(traceId, spanId)
        : this.membership.handleOf(traceId, spanId);
      this.sent(this.encoder.record(record, handle));
    } catch (error) {
      reportError(error);
    }
  }

  /** Resolves once the worker has translated everything recorded so far and delivered it to connected subscribers. */
  forceFlush(): Promise<void> {
    return this.ask('flush');
  }

  /** Ends sessions still open with `agent.session.cancelled` (by `system`), delivers what is queued, closes every stream and stops the worker. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      unregisterRuntime(this);
      this.replies.cancelAll();
      await this.ask('shutdown');
      await this.worker.terminate();
    })().catch(reportError);
    return this.shutdownPromise;
  }

  /**
   * Takes the record just encoded: batched, and the batch written to the ring at the end of
   * this callback when the worker is asleep (its wake-up is the latency a listener hears), else
   * in the check phase of this turn of the event loop (the worker is busy and reads it when it
   * gets there, so the records of many callbacks go together), or at once when it is large.
   */
  private sent(size: number): void {
    if (!this.running) {
      this.encoder.take();
      return;
    }
    // A batch below half the ring's bound plus one record below half of it always fits the ring.
    const half = this.writer.maxRecordBytes / 2;
    if (size > half) {
      this.encoder.dropLast();
      diag.warn(`aaep-otel: a span record of ${size} bytes is larger than a quarter of the worker's ring (AAEP_WORKER_RING_BYTES); it is not translated.`);
      return;
    }
    if (this.encoder.size >= Math.min(BATCH_BYTES, half)) this.writeBatch();
    else if (!this.batchQueued) {
      this.batchQueued = true;
      if (this.writer.readerAsleep) queueMicrotask(this.queuedBatch);
      else setImmediate(this.queuedBatch);
    }
  }

  private readonly queuedBatch = () => {
    this.batchQueued = false;
    this.writeBatch();
  };

  private writeBatch(): void {
    if (this.encoder.size === 0) return;
    const waited = this.writer.write(this.encoder.take(), this.maxWaitMs);
    if (waited === 0) return;
    if (waited < 0) {
      diag.error(`aaep-otel: the translator worker made no room in ${this.maxWaitMs} ms (AAEP_WORKER_MAX_WAIT_MS); span records were dropped.`);
      return;
    }
    this.waitedMs += waited;
    const now = performance.now();
    if (now - this.lastBehindReport < BEHIND_REPORT_MS) return;
    this.lastBehindReport = now;
    diag.warn(`aaep-otel: the translator worker is behind; the agent's thread waited ${this.waitedMs.toFixed(1)} ms for room in its ring (AAEP_WORKER_RING_BYTES) since the last report.`);
    this.waitedMs = 0;
  }

  /** Asks the worker to flush or stop, once it has read everything written before. */
  private ask(type: ToWorker['type']): Promise<void> {
    this.writeBatch();
    if (!this.running) return Promise.resolve();
    const id = this.nextMessage++;
    this.hold();
    return new Promise<void>((resolve) => {
      this.answers.set(id, () => {
        this.release();
        resolve();
      });
      this.worker.postMessage({ type, id } satisfies ToWorker);
    });
  }

  /** While the application awaits the worker, the worker keeps the process alive; otherwise it does not. */
  private hold(): void {
    if (this.holds++ === 0) this.worker.ref();
  }

  private release(): void {
    if (--this.holds === 0) this.worker.unref();
  }

  private onMessage(message: Exclude<FromWorker, { type: 'ready' | 'failed' }>): void {
    switch (message.type) {
      case 'done':
        this.answers.get(message.id)?.();
        this.answers.delete(message.id);
        break;
      case 'diag':
        diag[message.level](message.message);
        break;
      case 'decision': {
        const { decision, token } = message;
        if ('reply' in decision) this.replies.submit(decision.reply);
        else if ('cancelled' in decision) this.replies.cancel(token);
        else this.replies.expire(token);
        break;
      }
    }
  }
}

/** The ring of the size asked for, or of the default size when that is not one it can have (said through `diag`). */
function ringBuffer(bytes: number): SharedArrayBuffer {
  try {
    return createRingBuffer(bytes);
  } catch (error) {
    diag.warn(`aaep-otel: ${(error as Error).message} (ringBytes, AAEP_WORKER_RING_BYTES); using ${DEFAULT_RING_BYTES} bytes.`);
    return createRingBuffer(DEFAULT_RING_BYTES);
  }
}

function reportError(error: unknown): void {
  globalErrorHandler(error as Exception);
}
