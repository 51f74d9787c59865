import { diag, type Context, type Exception, type Span as ApiSpan } from '@opentelemetry/api';
import { globalErrorHandler, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { EventHub } from '../hub/EventHub.js';
import { hubOptionsFromEnv, type EventHubOptions } from '../hub/EventHubOptions.js';
import { readEnvNumber, readEnvString } from '../env.js';
import { createHubBackend } from '../hub/createHubBackend.js';
import type { HubBackend } from '../hub/HubBackend.js';
import type { Producer } from '../protocol/index.js';
import type { SpanEventRecord, SpanRecord } from '../records.js';
import { ReplyRegistry } from '../agent/ReplyRegistry.js';
import { registerRuntime, unregisterRuntime, type AaepRuntime, type SpanSession } from '../agent/runtime.js';
import { LateClassification } from './LateClassification.js';
import { resolveProducer } from './resolveProducer.js';
import { warnLimit, type StoreUsage } from '../limits.js';
import { observeSpanEvents } from './observeSpanEvents.js';
import { Translator } from '../translate/index.js';

export interface AaepSpanProcessorOptions {
  /** Stable producer id on every event. Else `AAEP_AGENT_ID`, else `OTEL_SERVICE_NAME`, else "agent". */
  readonly agentId?: string;
  /** Name announced to the user. Else `AAEP_AGENT_NAME`. */
  readonly agentName?: string;
  readonly agentVersion?: string;
  /** BCP 47 language of the summaries. Else `AAEP_LANGUAGE`, else "en". */
  readonly language?: string;
  /**
   * The hub to publish to, or options for the one the processor creates.
   * Retention defaults come from `AAEP_RETENTION_EVENTS` / `AAEP_RETENTION_BYTES`,
   * the subscriber bound from `AAEP_MAX_SUBSCRIBERS`.
   */
  readonly hub?: EventHub | EventHubOptions;
  /** Sessions open at once; a session beyond it is not translated (reported once through `diag`). Else `AAEP_MAX_SESSIONS`, else 10,000. */
  readonly maxSessions?: number;
  /** Open spans followed per session. Else `AAEP_MAX_SPANS_PER_SESSION`, else 1,000. */
  readonly maxSpansPerSession?: number;
  /** Reply tokens outstanding at once. Else `AAEP_MAX_PENDING_REPLIES`, else 10,000. */
  readonly maxPendingReplies?: number;
  /**
   * redis://… of a hub shared with receivers and other processes (Redis Streams):
   * events are appended there and `hub` follows the shared stream. Else `AAEP_HUB_URL`,
   * else the hub is this process's memory.
   */
  readonly hubUrl?: string;
}

/**
 * A standard SpanProcessor that turns the life of agent spans into AAEP events.
 * Add it next to the processors you have; it exports nothing and never throws
 * into the application: its own failures go to OpenTelemetry's global error handler.
 *
 * Span events are not reported to processors, so for each span that belongs to
 * a session it wraps that span instance's `addEvent`: events reach subscribers
 * the moment the agent adds them, not when the span ends.
 */
export class AaepSpanProcessor implements SpanProcessor, AaepRuntime {
  /** Where the events go: serve it with `startAaepServer({ hub })` or `createAaepRouter({ hub })`. */
  readonly hub: EventHub;
  /** Where the translator's events go first: `hub` itself, or the shared stream `hub` follows. */
  readonly backend: HubBackend;
  /** Where replies to confirmations and clarifications go; the HTTP endpoints submit to it. */
  readonly replies: ReplyRegistry;
  readonly producer: Producer;
  private readonly translator: Translator;
  private readonly hooked = new WeakSet<Span>();
  /** Session spans started in this process, so a session can be marked cancelled from any of its spans. */
  private readonly roots = new Map<string, Span>();
  private readonly late = new LateClassification((span) => this.start(span));
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: AaepSpanProcessorOptions = {}) {
    this.producer = resolveProducer(options);
    this.replies = new ReplyRegistry({ maxPending: options.maxPendingReplies, onLimit: warnLimit });
    this.translator = new Translator({
      producer: this.producer,
      language: options.language ?? readEnvString('AAEP_LANGUAGE'),
      emit: (event, owner) => this.backend.publish(event, owner),
      onViolation: (message) => diag.warn(`aaep-otel: ${message}`),
      // A session that ended leaves nothing to answer: its waits settle as cancelled.
      onSessionClosed: (sessionId) => this.replies.cancelSession(sessionId),
      maxSessions: options.maxSessions,
      maxSpansPerSession: options.maxSpansPerSession,
      onLimit: warnLimit,
    });
    const hubOption = options.hub;
    this.hub =
      hubOption instanceof EventHub
        ? hubOption
        : new EventHub({
            ...hubOptionsFromEnv(),
            ...hubOption,
            catchUp: (sessionId, maxSessions, hears) => this.translator.catchUp(sessionId, maxSessions, Date.now(), hears),
            producer: this.producer,
            replies: this.replies,
          });
    this.backend = createHubBackend(this.hub, { hubUrl: options.hubUrl ?? readEnvString('AAEP_HUB_URL'), retentionEvents: readEnvNumber('AAEP_RETENTION_EVENTS') });
    registerRuntime(this);
  }

  /** What the processor holds now, each store against its bound: all of it is freed as sessions end. */
  get stats(): {
    openSessions: number;
    trackedSpans: number;
    pendingReplies: number;
    sessions: StoreUsage;
    spans: StoreUsage & { perSession: number };
    replies: StoreUsage;
    subscribers: StoreUsage;
  } {
    const { sessions, spans } = this.translator.usage;
    return {
      openSessions: sessions.size,
      trackedSpans: spans.size,
      pendingReplies: this.replies.size,
      sessions,
      spans,
      replies: this.replies.usage,
      subscribers: this.hub.subscribers,
    };
  }

  /** The open session a span belongs to (for `confirm`, `clarify`, `cancelSession`). */
  sessionOf(span: ApiSpan): SpanSession | undefined {
    const { traceId, spanId } = span.spanContext();
    const session = this.translator.sessionOf(traceId, spanId);
    return session === undefined ? undefined : { sessionId: session.sessionId, root: this.roots.get(session.rootSpanId) };
  }

  onStart(span: Span, _parentContext: Context): void {
    if (this.shutdownPromise === undefined) this.late.onStart(span);
  }

  /** Hands a span's start to the translator, and follows it if it belongs to a session. */
  private start(span: Span): void {
    const spanContext = span.spanContext();
    this.translator.handle({
      kind: 'started',
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      parentSpanId: span.parentSpanContext?.spanId,
      traceFlags: spanContext.traceFlags,
      name: span.name,
      startTime: hrTimeToMilliseconds(span.startTime),
      attributes: span.attributes,
    });
    const session = this.translator.sessionOf(spanContext.traceId, spanContext.spanId);
    if (session === undefined) return;
    this.observeEvents(span);
    if (session.rootSpanId === spanContext.spanId) this.roots.set(spanContext.spanId, span);
  }

  onEnd(span: ReadableSpan): void {
    if (this.shutdownPromise !== undefined) return;
    try {
      const spanContext = span.spanContext();
      this.late.release(spanContext.spanId);
      if (!this.translator.isTracked(spanContext.traceId, spanContext.spanId)) return;
      const { traceId, spanId } = spanContext;
      this.roots.delete(spanId);
      this.translator.handle({
        kind: 'ended',
        traceId,
        spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        traceFlags: spanContext.traceFlags,
        name: span.name,
        startTime: hrTimeToMilliseconds(span.startTime),
        endTime: hrTimeToMilliseconds(span.endTime),
        attributes: span.attributes,
        status: { code: span.status.code, message: span.status.message },
        events: this.hooked.has(span as Span) ? [] : span.events.map((event) => eventRecord(traceId, spanId, event)),
      });
    } catch (error) {
      reportError(error);
    }
  }

  /**
   * Span lifecycle records from a source that is not OpenTelemetry (the OpenAI
   * Agents SDK's tracing, aaep-otel/openai-agents), into the same translator and hub.
   */
  acceptRecord(record: SpanRecord): void {
    if (this.shutdownPromise !== undefined) return;
    try {
      this.translator.handle(record);
    } catch (error) {
      reportError(error);
    }
  }

  /** Delivers every event published so far to connected subscribers. */
  async forceFlush(): Promise<void> {
    await this.backend.stored().catch(reportError);
    await this.hub.flush();
  }

  /**
   * Ends sessions still open with `agent.session.cancelled` (by `system`), delivers
   * what is queued and closes every stream. Idempotent.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      unregisterRuntime(this);
      try {
        this.translator.cancelAll(Date.now(), 'producer_shutdown');
        this.replies.cancelAll();
        await this.backend.close();
        await this.hub.flush();
      } catch (error) {
        reportError(error);
      } finally {
        this.hub.close();
      }
    })();
    return this.shutdownPromise;
  }

  private observeEvents(span: Span): void {
    const { traceId, spanId } = span.spanContext();
    if (observeSpanEvents(span, (event) => this.translator.handle(eventRecord(traceId, spanId, event)))) this.hooked.add(span);
  }

}

function reportError(error: unknown): void {
  globalErrorHandler(error as Exception);
}

function eventRecord(traceId: string, spanId: string, event: TimedEvent): SpanEventRecord {
  return {
    kind: 'event',
    traceId,
    spanId,
    name: event.name,
    time: hrTimeToMilliseconds(event.time),
    attributes: event.attributes ?? {},
  };
}
