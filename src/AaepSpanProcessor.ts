import { diag, type Context, type Exception, type Span as ApiSpan } from '@opentelemetry/api';
import { globalErrorHandler, hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { EventHub, type EventHubOptions } from './EventHub.js';
import { readEnvNumber, readEnvString } from './env.js';
import type { Producer } from './protocol/index.js';
import type { SpanEventRecord, SpanRecord } from './records.js';
import { ReplyRegistry } from './ReplyRegistry.js';
import { registerRuntime, unregisterRuntime, type AaepRuntime, type SpanSession } from './runtime.js';
import { LateClassification } from './LateClassification.js';
import { observeSpanEvents } from './observeSpanEvents.js';
import { Translator } from './translator.js';

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
   * Retention defaults come from `AAEP_RETENTION_EVENTS` / `AAEP_RETENTION_BYTES`.
   */
  readonly hub?: EventHub | EventHubOptions;
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
  /** Where replies to confirmations and clarifications go; the HTTP endpoints submit to it. */
  readonly replies = new ReplyRegistry();
  readonly producer: Producer;
  private readonly translator: Translator;
  private readonly hooked = new WeakSet<Span>();
  /** Session spans started in this process, so a session can be marked cancelled from any of its spans. */
  private readonly roots = new Map<string, Span>();
  private readonly late = new LateClassification((span) => this.start(span));
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: AaepSpanProcessorOptions = {}) {
    const agentName = options.agentName ?? readEnvString('AAEP_AGENT_NAME');
    this.producer = {
      agent_id: options.agentId ?? readEnvString('AAEP_AGENT_ID') ?? readEnvString('OTEL_SERVICE_NAME') ?? 'agent',
      ...(agentName !== undefined && { agent_name: agentName }),
      ...(options.agentVersion !== undefined && { agent_version: options.agentVersion }),
    };
    this.translator = new Translator({
      producer: this.producer,
      language: options.language ?? readEnvString('AAEP_LANGUAGE'),
      emit: (event) => this.hub.publish(event),
      onViolation: (message) => diag.warn(`aaep-otel: ${message}`),
      // A session that ended leaves nothing to answer: its waits settle as cancelled.
      onSessionClosed: (sessionId) => this.replies.cancelSession(sessionId),
    });
    const hubOption = options.hub;
    this.hub =
      hubOption instanceof EventHub
        ? hubOption
        : new EventHub({
            retentionEvents: readEnvNumber('AAEP_RETENTION_EVENTS'),
            retentionBytes: readEnvNumber('AAEP_RETENTION_BYTES'),
            ...hubOption,
            snapshot: (sessionId) => this.translator.snapshot(sessionId),
            producer: this.producer,
            replies: this.replies,
          });
    registerRuntime(this);
  }

  /** What the processor holds now: all of it is freed as sessions end. */
  get stats(): { openSessions: number; trackedSpans: number; pendingReplies: number; subscribers: number } {
    return {
      openSessions: this.translator.openSessionCount,
      trackedSpans: this.translator.trackedSpanCount,
      pendingReplies: this.replies.size,
      subscribers: this.hub.subscriberCount,
    };
  }

  /** The open session a span belongs to (for `confirm`, `clarify`, `cancelSession`). */
  sessionOf(span: ApiSpan): SpanSession | undefined {
    const { traceId, spanId } = span.spanContext();
    const session = this.translator.sessionOf(traceId, spanId);
    return session === undefined ? undefined : { sessionId: session.sessionId, root: this.roots.get(session.rootSpanId) };
  }

  onStart(span: Span, _parentContext: Context): void {
    if (this.shutdownPromise !== undefined) return;
    try {
      this.late.onStart(span);
    } catch (error) {
      reportError(error);
    }
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
  forceFlush(): Promise<void> {
    return this.hub.flush();
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
