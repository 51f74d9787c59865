import type { Exception } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { Span } from '@opentelemetry/sdk-trace-base';
import { resolveLimit } from '../limits.js';
import { classifySpan } from '../semconv/classifySpan.js';

/** Instrumentation scopes known to say what a span is only after starting it. */
const LATE_ATTRIBUTE_SCOPES = /^(@arizeai\/openinference-|@traceloop\/|traceloop)/;

/**
 * Some instrumentations (OpenInference, OpenLLMetry's traceloop-sdk) start a span
 * bare and set what it is just after, but span processors hear of a span only at
 * its start. Such a span is held back and started once its attributes make it
 * recognisable — keeping its own start time — or, as plain structure, when a
 * child starts or it ends first. Spans of other scopes pass straight through.
 * At most `maxWaiting` are held: beyond, the oldest is started as it stands, so a
 * span the application abandons without ending is not kept alive here.
 */
export class LateClassification {
  private readonly waiting = new Map<string, Span>();

  constructor(
    private readonly start: (span: Span) => void,
    private readonly maxWaiting = resolveLimit('unclassifiedSpans'),
  ) {}

  /** Spans held back now. */
  get size(): number {
    return this.waiting.size;
  }

  /** Called from onStart: starts the span now, or holds it until it says what it is. Never throws (failures go to the global error handler). */
  onStart(span: Span): void {
    try {
      this.hold(span);
    } catch (error) {
      globalErrorHandler(error as Exception);
    }
  }

  private hold(span: Span): void {
    const parentSpanId = span.parentSpanContext?.spanId;
    if (parentSpanId !== undefined) this.release(parentSpanId);
    if (!LATE_ATTRIBUTE_SCOPES.test(span.instrumentationScope.name) || classifySpan(span.attributes) !== undefined) {
      this.start(span);
      return;
    }
    const { spanId } = span.spanContext();
    // Map order is arrival order: the first key is the span held longest.
    if (this.waiting.size >= this.maxWaiting) this.release(this.waiting.keys().next().value!);
    this.waiting.set(spanId, span);
    const setAttribute = span.setAttribute;
    const setAttributes = span.setAttributes;
    const check = () => {
      if (this.waiting.has(spanId) && classifySpan(span.attributes) !== undefined) this.release(spanId);
    };
    span.setAttribute = (key, value) => {
      const result = setAttribute.call(span, key, value);
      check();
      return result;
    };
    span.setAttributes = (attributes) => {
      const result = setAttributes.call(span, attributes);
      check();
      return result;
    };
  }

  /** Starts a held span (and its held ancestors first); called at the latest when it ends. */
  release(spanId: string): void {
    const span = this.waiting.get(spanId);
    if (span === undefined) return;
    this.waiting.delete(spanId);
    const parentSpanId = span.parentSpanContext?.spanId;
    if (parentSpanId !== undefined) this.release(parentSpanId);
    this.start(span);
  }
}
