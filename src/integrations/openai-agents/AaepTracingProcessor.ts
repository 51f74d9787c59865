import { createHash } from 'node:crypto';
import type { Exception } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { Span, SpanData, Trace, TracingProcessor } from '@openai/agents-core';
import type { Attributes, SpanRecord } from '../../records.js';
import { LiveModelOutput } from '../LiveModelOutput.js';
import {
  AAEP_LLM_OUTPUT,
  AAEP_SPAN_KIND,
  GEN_AI_OPERATION_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_TOOL_CALL_ARGUMENTS,
  GEN_AI_TOOL_CALL_RESULT,
  GEN_AI_TOOL_NAME,
} from '../../semconv/attributes.js';

/** Where the records go: `AaepSpanProcessor.acceptRecord`, or a translator's `handle`. */
export interface RecordSink {
  acceptRecord(record: SpanRecord): void;
}

type AnySpan = Span<SpanData>;
interface Open {
  readonly type: string;
  readonly ids: { readonly traceId: string; readonly spanId: string; readonly parentSpanId: string };
  readonly startTime: number;
  readonly attributes: Attributes;
  started: boolean;
}

/** Spans of one run remembered at once; the oldest is dropped first. */
const MAX_OPEN_SPANS = 4096;

/**
 * A TracingProcessor for the OpenAI Agents SDK (`@openai/agents-core`), which traces
 * through its own processors, not OpenTelemetry: a third span source for the records
 * seam. A trace is the session; `generation` and `response` spans are model calls
 * (their text at their end); `function` spans are tool calls, started the moment the
 * SDK puts the arguments on the span, just before it runs the tool; `agent`, `turn`,
 * `handoff` and the rest are structure. Ids are derived from the SDK's (`trace_<hex>`,
 * `span_<hex>`), so a re-delivered span gives no new event. Never throws.
 *
 *   addTraceProcessor(new AaepTracingProcessor(aaep));
 */
export class AaepTracingProcessor implements TracingProcessor {
  private readonly open = new Map<string, Open>();
  private readonly errors = new Map<string, string>();
  /** The model call open in each trace (a run calls its model one step at a time). */
  private readonly modelCalls = new Map<string, Open>();
  private readonly live = new Map<Open, LiveModelOutput>();

  constructor(private readonly sink: RecordSink) {}

  async onTraceStart(trace: Trace): Promise<void> {
    this.safely(() => {
      const traceId = hex32(trace.traceId);
      this.sink.acceptRecord({
        kind: 'started',
        traceId,
        spanId: rootSpanId(traceId),
        traceFlags: 1,
        name: trace.name,
        startTime: Date.now(),
        attributes: { [AAEP_SPAN_KIND]: 'session' },
      });
    });
  }

  async onTraceEnd(trace: Trace): Promise<void> {
    this.safely(() => {
      const traceId = hex32(trace.traceId);
      const error = this.errors.get(traceId);
      this.errors.delete(traceId);
      const now = Date.now();
      this.sink.acceptRecord({
        kind: 'ended',
        traceId,
        spanId: rootSpanId(traceId),
        traceFlags: 1,
        name: trace.name,
        startTime: now,
        endTime: now,
        attributes: { [AAEP_SPAN_KIND]: 'session' },
        status: error === undefined ? { code: 0 } : { code: 2, message: error },
        events: [],
      });
    });
  }

  async onSpanStart(span: AnySpan): Promise<void> {
    this.safely(() => {
      const traceId = hex32(span.traceId);
      const ids = { traceId, spanId: hex16(span.spanId), parentSpanId: span.parentId === null ? rootSpanId(traceId) : hex16(span.parentId) };
      const parent = this.open.get(ids.parentSpanId);
      if (parent !== undefined) this.begin(parent, span.spanData.type);
      const open: Open = { type: span.spanData.type, ids, startTime: timeOf(span.startedAt), attributes: startAttributes(span.spanData), started: false };
      if (this.open.size >= MAX_OPEN_SPANS) this.open.delete(this.open.keys().next().value!);
      this.open.set(ids.spanId, open);
      if (open.type === 'generation' || open.type === 'response') this.modelCalls.set(traceId, open);
      if (span.spanData.type === 'function') this.startWhenArgumentsArrive(open, span.spanData);
      else this.begin(open, span.spanData.type);
    });
  }

  async onSpanEnd(span: AnySpan): Promise<void> {
    this.safely(() => {
      const spanId = hex16(span.spanId);
      const open = this.open.get(spanId);
      if (open === undefined) return;
      this.open.delete(spanId);
      if (this.modelCalls.get(open.ids.traceId) === open) this.modelCalls.delete(open.ids.traceId);
      this.live.delete(open);
      this.begin(open, span.spanData.type);
      const error = span.error;
      if (error !== null && span.spanData.type === 'agent') this.errors.set(open.ids.traceId, error.message);
      this.sink.acceptRecord({
        kind: 'ended',
        ...open.ids,
        traceFlags: 1,
        name: nameOf(span.spanData),
        startTime: open.startTime,
        endTime: Math.max(open.startTime, timeOf(span.endedAt)),
        attributes: { ...open.attributes, ...endAttributes(span.spanData) },
        status: error === null ? { code: 0 } : { code: 2, message: error.message },
        events: [],
      });
    });
  }

  /**
   * A streamed text delta of the run traced as `traceId` (what withAaepStreaming
   * passes on): recorded on that run's open model-call span as `aaep.output.chunk`,
   * a sentence at a time.
   */
  textDelta(traceId: string, delta: string): void {
    this.safely(() => {
      const open = this.modelCalls.get(hex32(traceId));
      if (open === undefined) return;
      let live = this.live.get(open);
      if (live === undefined) {
        this.begin(open, open.type);
        const { sink } = this;
        const target = {
          isRecording: () => this.open.get(open.ids.spanId) === open,
          addEvent: (name: string, attributes: Record<string, string>) =>
            sink.acceptRecord({ kind: 'event', traceId: open.ids.traceId, spanId: open.ids.spanId, name, time: Date.now(), attributes }),
        };
        live = new LiveModelOutput(target, { recordText: true, recordArguments: false });
        this.live.set(open, live);
      }
      live.text(delta);
    });
  }

  async shutdown(): Promise<void> {
    this.open.clear();
    this.modelCalls.clear();
    this.live.clear();
  }

  async forceFlush(): Promise<void> {}

  private begin(open: Open, type: string): void {
    if (open.started) return;
    open.started = true;
    this.sink.acceptRecord({ kind: 'started', ...open.ids, traceFlags: 1, name: type, startTime: open.startTime, attributes: open.attributes });
  }

  /**
   * The SDK starts a function span with the tool's name only and assigns `input`
   * just before it calls the tool: the span is started then, with its arguments
   * (or at its end, or when a child starts, whichever comes first).
   */
  private startWhenArgumentsArrive(open: Open, data: SpanData & { input?: string }): void {
    let input = data.input;
    Object.defineProperty(data, 'input', {
      configurable: true,
      enumerable: true,
      get: () => input,
      set: (value: string) => {
        input = value;
        if (open.started) return;
        (open.attributes as Record<string, unknown>)[GEN_AI_TOOL_CALL_ARGUMENTS] = value;
        this.safely(() => this.begin(open, 'function'));
      },
    });
  }

  private safely(action: () => void): void {
    try {
      action();
    } catch (error) {
      globalErrorHandler(error as Exception);
    }
  }
}

function startAttributes(data: SpanData): Record<string, string> {
  switch (data.type) {
    case 'generation':
    case 'response':
      return { [GEN_AI_OPERATION_NAME]: 'chat', ...('model' in data && typeof data.model === 'string' && { [GEN_AI_REQUEST_MODEL]: data.model }) };
    case 'function':
      return { [GEN_AI_OPERATION_NAME]: 'execute_tool', [GEN_AI_TOOL_NAME]: data.name };
    default:
      return {};
  }
}

function endAttributes(data: SpanData): Record<string, string> {
  if (data.type === 'function') {
    return { ...(data.input !== undefined && data.input !== '' && { [GEN_AI_TOOL_CALL_ARGUMENTS]: data.input }), ...(data.output !== undefined && { [GEN_AI_TOOL_CALL_RESULT]: String(data.output) }) };
  }
  if (data.type === 'generation') return textOf(data.output);
  if (data.type === 'response') return textOf((data._response as { output?: unknown[] } | undefined)?.output);
  return {};
}

/** The assistant's text in a generation's or response's output items. */
function textOf(items: unknown[] | undefined): Record<string, string> {
  let text = '';
  for (const item of items ?? []) {
    const message = item as { role?: string; type?: string; content?: unknown };
    if (message.role !== undefined && message.role !== 'assistant') continue;
    if (typeof message.content === 'string') text += message.content;
    else if (Array.isArray(message.content)) {
      for (const part of message.content as Array<{ type?: string; text?: unknown }>) {
        if ((part.type === 'output_text' || part.type === 'text') && typeof part.text === 'string') text += part.text;
      }
    }
  }
  return text === '' ? {} : { [AAEP_LLM_OUTPUT]: text };
}

function nameOf(data: SpanData): string {
  return 'name' in data && typeof data.name === 'string' ? `${data.type} ${data.name}` : data.type;
}

function timeOf(iso: string | null): number {
  const time = iso === null ? NaN : Date.parse(iso);
  return Number.isFinite(time) ? time : Date.now();
}

/** The SDK's ids are `trace_` + 32 hex and `span_` + 24 hex; anything else is hashed to the width records need. */
function hex32(id: string): string {
  const hex = id.replace(/^trace_/, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? hex : createHash('sha256').update(id).digest('hex').slice(0, 32);
}

function hex16(id: string): string {
  const hex = id.replace(/^span_/, '').toLowerCase();
  return /^[0-9a-f]{16,}$/.test(hex) ? hex.slice(-16) : createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** The session's own span id: the trace has none, so one is derived from it. */
function rootSpanId(traceId: string): string {
  return createHash('sha256').update(`root:${traceId}`).digest('hex').slice(0, 16);
}
