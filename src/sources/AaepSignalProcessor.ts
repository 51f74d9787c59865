import { ROOT_CONTEXT, trace, type Attributes, type Context, type Exception, type Span as ApiSpan } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { readEnvString } from '../env.js';
import { sessionIdFor } from '../translate/ids.js';
import { LateClassification } from './LateClassification.js';
import { LimitEpisode, resolveLimit, warnLimit } from '../limits.js';
import { observeSpanEvents } from './observeSpanEvents.js';
import { RemoteReplyRegistry } from '../agent/RemoteReplyRegistry.js';
import { registerRuntime, unregisterRuntime, type AaepRuntime, type SpanSession } from '../agent/runtime.js';
import {
  AAEP_SIGNAL,
  AAEP_SIGNAL_EVENT_NAME,
  AAEP_SIGNAL_NAME,
  AAEP_SIGNAL_PARENT_SPAN_ID,
  AAEP_SIGNAL_SESSION_SPAN_ID,
  AAEP_SIGNAL_SPAN_ID,
} from '../semconv/attributes.js';
import { classifySpan } from '../semconv/classifySpan.js';

export interface AaepSignalProcessorOptions {
  /**
   * Where signals go: an OTLP exporter pointed at the receiver or at a Collector
   * that forwards to it (and drops signals from the tracing backend).
   */
  readonly exporter: SpanExporter;
  /** The receiver's base URL, for fetching decisions. Else `AAEP_RECEIVER_URL`; without it confirm() cannot reach anyone. */
  readonly receiverUrl?: string;
  /** Bearer token for the receiver's decision endpoint (its ingest token). Else `AAEP_INGEST_TOKEN`, else `AAEP_TOKEN`. */
  readonly token?: string;
  /** Delay before a batch of signals is sent. Default 50 ms: signals are what makes the stream live. */
  readonly delayMs?: number;
  /** Sessions followed at once; a session beyond it is not signalled (reported once through `diag`). Else `AAEP_MAX_SESSIONS`, else 10,000. */
  readonly maxSessions?: number;
  /** Open spans followed per session. Else `AAEP_MAX_SPANS_PER_SESSION`, else 1,000. */
  readonly maxSpansPerSession?: number;
}

interface Tracked {
  /** The session span this span belongs to. */
  readonly rootSpanId: string;
  readonly sessionId: string;
  /** Open spans of the session followed now, against the per-session bound. */
  spans: number;
  spansRefused: boolean;
}

/**
 * For agents whose spans reach aaep-otel through OTLP (a Collector and the
 * receiver) rather than an in-process AaepSpanProcessor. OTLP exports a span only
 * when it ends; this processor exports a short signal span the moment a session,
 * model or tool span starts, or an `aaep.*` event is added, so the receiver can
 * announce `tool.invoked` before the tool runs. It also lets `confirm()` and
 * `clarify()` in this process receive the user's answer from the receiver.
 */
export class AaepSignalProcessor implements SpanProcessor, AaepRuntime {
  readonly replies: RemoteReplyRegistry;
  private readonly provider: BasicTracerProvider;
  private readonly signals;
  private readonly tracked = new Map<string, Tracked>();
  private readonly roots = new Map<string, Span>();
  private readonly late = new LateClassification((span) => this.start(span));
  private shutdownPromise: Promise<void> | undefined;
  private readonly maxSessions: number;
  private readonly maxSpansPerSession: number;
  private readonly sessionBound: LimitEpisode;

  constructor(options: AaepSignalProcessorOptions) {
    this.maxSessions = resolveLimit('sessions', options.maxSessions);
    this.maxSpansPerSession = resolveLimit('spansPerSession', options.maxSpansPerSession);
    this.sessionBound = new LimitEpisode(() =>
      warnLimit({
        limit: 'sessions',
        bound: this.maxSessions,
        message: `${this.maxSessions} sessions are open, the limit (AAEP_MAX_SESSIONS); new sessions are not signalled until some end.`,
      }),
    );
    // A private provider: signal spans must not pass through the application's own processors.
    this.provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(options.exporter, { scheduledDelayMillis: options.delayMs ?? 50, maxExportBatchSize: 256 })],
    });
    this.signals = this.provider.getTracer('aaep-otel-signals');
    this.replies = new RemoteReplyRegistry({
      receiverUrl: options.receiverUrl ?? readEnvString('AAEP_RECEIVER_URL'),
      token: options.token ?? readEnvString('AAEP_INGEST_TOKEN') ?? readEnvString('AAEP_TOKEN'),
    });
    registerRuntime(this);
  }

  sessionOf(span: ApiSpan): SpanSession | undefined {
    const tracked = this.tracked.get(span.spanContext().spanId);
    return tracked === undefined ? undefined : { sessionId: tracked.sessionId, root: this.roots.get(tracked.rootSpanId) };
  }

  onStart(span: Span, _parentContext: Context): void {
    if (this.shutdownPromise !== undefined) return;
    try {
      this.late.onStart(span);
    } catch (error) {
      globalErrorHandler(error as Exception);
    }
  }

  /** Follows a span that belongs to a session, and signals it if it is a session, model or tool span. */
  private start(span: Span): void {
    const { traceId, spanId } = span.spanContext();
    const parentSpanId = span.parentSpanContext?.spanId;
    const role = classifySpan(span.attributes);
    const parent = parentSpanId === undefined ? undefined : this.tracked.get(parentSpanId);
    let tracked: Tracked | undefined = parent;
    if (parent === undefined && role !== undefined) {
      if (this.roots.size >= this.maxSessions) {
        this.sessionBound.refused();
        return;
      }
      tracked = { rootSpanId: spanId, sessionId: sessionIdFor(traceId, spanId), spans: 0, spansRefused: false };
      this.roots.set(spanId, span);
    }
    if (tracked === undefined) return;
    if (tracked.spans >= this.maxSpansPerSession) {
      if (!tracked.spansRefused) {
        tracked.spansRefused = true;
        warnLimit({
          limit: 'spansPerSession',
          bound: this.maxSpansPerSession,
          sessionId: tracked.sessionId,
          message: `Session ${tracked.sessionId} has ${this.maxSpansPerSession} open spans, the limit (AAEP_MAX_SPANS_PER_SESSION); its further spans are not signalled.`,
        });
      }
      return;
    }
    tracked.spans++;
    this.tracked.set(spanId, tracked);
    this.observeEvents(span, tracked);
    if (role === undefined) return;
    this.signal(span, span.startTime, {
      ...span.attributes,
      [AAEP_SIGNAL]: 'start',
      [AAEP_SIGNAL_SPAN_ID]: spanId,
      [AAEP_SIGNAL_NAME]: span.name,
      [AAEP_SIGNAL_SESSION_SPAN_ID]: tracked.rootSpanId,
      ...(parentSpanId !== undefined && { [AAEP_SIGNAL_PARENT_SPAN_ID]: parentSpanId }),
    });
  }

  onEnd(span: ReadableSpan): void {
    const { spanId } = span.spanContext();
    this.late.release(spanId);
    const tracked = this.tracked.get(spanId);
    if (tracked === undefined) return;
    this.tracked.delete(spanId);
    tracked.spans--;
    if (tracked.rootSpanId === spanId) {
      this.roots.delete(spanId);
      this.sessionBound.observe(this.roots.size, this.maxSessions);
      // The session is over: nothing in it can be answered any more.
      this.replies.cancelSession(tracked.sessionId);
    }
  }

  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      unregisterRuntime(this);
      this.replies.cancelAll();
      await this.provider.shutdown();
    })();
    return this.shutdownPromise;
  }

  private observeEvents(span: Span, tracked: Tracked): void {
    const { spanId } = span.spanContext();
    observeSpanEvents(span, (event) => {
      if (!event.name.startsWith('aaep.')) return;
      this.signal(span, event.time, {
        ...event.attributes,
        [AAEP_SIGNAL]: 'event',
        [AAEP_SIGNAL_SPAN_ID]: spanId,
        [AAEP_SIGNAL_EVENT_NAME]: event.name,
        [AAEP_SIGNAL_SESSION_SPAN_ID]: tracked.rootSpanId,
      });
    });
  }


  /** A zero-length child of the announced span, so trace-id routing sends it where the trace goes. */
  private signal(span: Span, time: Span['startTime'], attributes: Attributes): void {
    const signal = this.signals.startSpan(AAEP_SIGNAL, { startTime: time, attributes }, trace.setSpanContext(ROOT_CONTEXT, span.spanContext()));
    signal.end(time);
  }
}
