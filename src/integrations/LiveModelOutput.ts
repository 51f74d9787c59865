import type { Exception } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import {
  AAEP_EVENT_OUTPUT_CHUNK,
  AAEP_EVENT_TOOL_CALL_ANNOUNCED,
  AAEP_OUTPUT_TEXT,
  GEN_AI_TOOL_CALL_ARGUMENTS,
  GEN_AI_TOOL_CALL_ID,
  GEN_AI_TOOL_NAME,
} from '../semconv/attributes.js';
import { lastSentenceBoundary } from '../translate/sentenceBoundary.js';

/**
 * At most this many chunk events per model call: OpenTelemetry keeps 128 events per
 * span by default, and the exported span must still hold every chunk, so a longer
 * answer streams its first sentences live and the rest arrives with the span's end.
 */
export const MAX_CHUNK_EVENTS = 64;
/** A run this long with no sentence end is recorded as it is. */
const MAX_PENDING_CHARS = 2000;

/** What the tap records on: an OpenTelemetry span, or a span of another tracing system. */
export interface ModelCallSpan {
  addEvent(name: string, attributes: Record<string, string>): unknown;
  isRecording(): boolean;
}

/**
 * What a framework tap records on the model-call span while the model streams:
 * its text as `aaep.output.chunk` events, a sentence per event (the translator
 * coalesces by sentence anyway, and fewer events cost the agent less), and each
 * tool call as `aaep.tool.call_announced` once its name and arguments are known.
 * Text that starts like JSON (structured output) is not streamed: the span's final
 * output attribute, read as "key: value", says it better. Never throws.
 */
export class LiveModelOutput {
  private pending = '';
  /** Where a sentence ended at the very end of the pending text, waiting for the next to begin. */
  private held = 0;
  private events = 0;
  private started = false;
  private off: boolean;

  constructor(
    private readonly span: ModelCallSpan,
    private readonly options: { readonly recordText: boolean; readonly recordArguments: boolean },
  ) {
    this.off = !options.recordText;
  }

  text(delta: string): void {
    if (this.off || delta === '') return;
    const from = Math.max(0, this.pending.length - 4);
    this.pending += delta;
    if (!this.started) {
      const first = this.pending.trimStart();
      if (first === '') return;
      this.started = true;
      if (first[0] === '{' || first[0] === '[') {
        this.off = true;
        this.pending = '';
        return;
      }
    }
    let boundary = lastSentenceBoundary(this.pending, from);
    // A sentence goes out once the next one has begun: the last one stays for the
    // complete chunk, as when the text arrives whole at the span's end.
    if (boundary === this.pending.length) {
      this.held = boundary;
      return;
    }
    if (boundary <= 0) boundary = this.held;
    if (boundary <= 0 && this.pending.length > MAX_PENDING_CHARS) boundary = this.pending.length;
    if (boundary <= 0 || this.pending.slice(boundary).trim() === '') return;
    this.held = 0;
    this.chunk(this.pending.slice(0, boundary));
    this.pending = this.pending.slice(boundary);
  }

  /** The model call's stream ended: the last sentence goes out too (without trailing space, like a final attribute). */
  end(): void {
    const rest = this.pending.trimEnd();
    if (!this.off && rest !== '') this.chunk(rest);
    this.pending = '';
    this.off = true;
  }

  toolCall(callId: string, toolName: string, argumentsJson: string | undefined): void {
    this.add(AAEP_EVENT_TOOL_CALL_ANNOUNCED, {
      [GEN_AI_TOOL_CALL_ID]: callId,
      [GEN_AI_TOOL_NAME]: toolName,
      ...(this.options.recordArguments && argumentsJson !== undefined && { [GEN_AI_TOOL_CALL_ARGUMENTS]: argumentsJson }),
    });
  }

  private chunk(text: string): void {
    if (this.events >= MAX_CHUNK_EVENTS) {
      this.off = true;
      return;
    }
    this.events++;
    this.add(AAEP_EVENT_OUTPUT_CHUNK, { [AAEP_OUTPUT_TEXT]: text });
  }

  private add(name: string, attributes: Record<string, string>): void {
    try {
      // A framework may finish reading the stream after it ended the span: nothing to add then.
      if (this.span.isRecording()) this.span.addEvent(name, attributes);
    } catch (error) {
      globalErrorHandler(error as Exception);
    }
  }
}
