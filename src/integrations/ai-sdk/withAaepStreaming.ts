import { trace, type Exception } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { Telemetry } from 'ai';
import { LiveModelOutput } from '../LiveModelOutput.js';

export interface AaepStreamingOptions {
  /**
   * Tools never announced early: their `execute_tool` span announces them as
   * before. List every tool that asks for confirmation (`confirm` on its span,
   * `needsApproval`) or is irreversible, so it is never announced before its
   * confirmation.
   */
  readonly confirmFirst?: readonly string[];
}

type ExecuteLanguageModelCall = NonNullable<Telemetry['executeLanguageModelCall']>;
type CallOptions = Parameters<ExecuteLanguageModelCall>[0];

/** The provider stream parts the tap reads (LanguageModelV4StreamPart, structurally). */
type Part =
  | { readonly type: 'text-delta'; readonly delta: string }
  | { readonly type: 'tool-call'; readonly toolCallId: string; readonly toolName: string; readonly input: string; readonly providerExecuted?: boolean }
  | { readonly type: string };

/**
 * Decorates an AI SDK 7 telemetry integration (normally `new OpenTelemetry({ tracer })`
 * from `@ai-sdk/otel`, or `LegacyOpenTelemetry`) so a streamed model call is heard
 * live: `executeLanguageModelCall` runs the provider call inside the model-call
 * span's context, so the tap finds that span active and records on it, as the
 * model streams, its text (`aaep.output.chunk`) and each tool call once its
 * name and arguments are complete (`aaep.tool.call_announced`), before the SDK
 * runs the tool. Everything else is the integration's own behaviour, unchanged.
 * `recordOutputs: false` records no text, `recordInputs: false` no arguments.
 *
 *   registerTelemetry(withAaepStreaming(new OpenTelemetry({ tracer })));
 */
export function withAaepStreaming(integration: Telemetry, options: AaepStreamingOptions = {}): Telemetry {
  const confirmFirst = new Set(options.confirmFirst ?? []);
  const decorated = delegateTo(integration);
  const inner = integration.executeLanguageModelCall?.bind(integration);
  if (inner === undefined) return decorated;
  const execute: ExecuteLanguageModelCall = (call) =>
    inner({
      ...call,
      execute: async () => {
        const span = trace.getActiveSpan();
        const result = await call.execute();
        if (span === undefined || !span.isRecording()) return result;
        return tapped(result, new LiveModelOutput(span, recordSettings(call)), confirmFirst);
      },
    });
  decorated.executeLanguageModelCall = execute;
  return decorated;
}

function recordSettings(call: CallOptions): { recordText: boolean; recordArguments: boolean } {
  const settings = call as { recordInputs?: boolean; recordOutputs?: boolean };
  return { recordText: settings.recordOutputs !== false, recordArguments: settings.recordInputs !== false };
}

/** A `doStream` result gets its stream piped through the tap; a `doGenerate` result passes as it is. */
function tapped<T>(result: T, live: LiveModelOutput, confirmFirst: ReadonlySet<string>): T {
  const stream = (result as { stream?: unknown }).stream;
  if (!(stream instanceof ReadableStream)) return result;
  const tap = new TransformStream<Part, Part>({
    transform(part, controller) {
      observe(part, live, confirmFirst);
      controller.enqueue(part);
    },
    flush() {
      live.end();
    },
  });
  return { ...result, stream: stream.pipeThrough(tap) };
}

function observe(part: Part, live: LiveModelOutput, confirmFirst: ReadonlySet<string>): void {
  try {
    if (part.type === 'text-delta') live.text((part as { delta: string }).delta);
    else if (part.type === 'tool-call') {
      const call = part as Extract<Part, { type: 'tool-call' }>;
      if (call.providerExecuted !== true && !confirmFirst.has(call.toolName)) live.toolCall(call.toolCallId, call.toolName, call.input);
    }
  } catch (error) {
    globalErrorHandler(error as Exception);
  }
}

/**
 * A Telemetry object calling the integration's own methods on the integration
 * itself (class methods live on its prototype chain; fields stay where they are).
 */
function delegateTo(integration: Telemetry): Telemetry {
  const decorated: Record<string, unknown> = {};
  const target = integration as unknown as Record<string, unknown>;
  for (let proto: object | null = integration; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || key in decorated) continue;
      const value = target[key];
      decorated[key] = typeof value === 'function' ? value.bind(integration) : value;
    }
  }
  return decorated as Telemetry;
}
