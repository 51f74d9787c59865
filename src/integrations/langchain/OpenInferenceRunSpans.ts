import { context, diag, type Span } from '@opentelemetry/api';
import { setAttributes } from '@arizeai/openinference-core';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import type { Run } from '@langchain/core/tracers/base';

/** The name OpenInference's LangChain tracer gives itself (`LangChainTracer.name`). */
export const OPENINFERENCE_TRACER_NAME = 'OpenInferenceLangChainTracer';
/** Model-call runs remembered at once; the oldest is forgotten first (runs end, normally). */
const MAX_LINKED_RUNS = 4096;
const PATCHED = Symbol.for('aaep-otel.langchain.startTracing');

interface OpenInferenceTracer {
  startTracing(run: Run): Promise<void>;
  /** Private in its .d.ts: OpenInference's table of open runs, `{ run, span }` by run id. */
  readonly runs?: Record<string, { readonly span?: Span } | undefined>;
}

/**
 * The link from a LangChain run to the span OpenInference made for it. OpenInference
 * spans carry no run id, so the link is made where the span is created: its
 * tracer's public `startTracing(run)` is wrapped to
 *
 *  - start the span with what OpenInference would otherwise set only at the run's
 *    end — a root chain's input (the request) and a tool's input (its arguments) —
 *    through OpenInference's own context attributes (`setAttributes` from
 *    `@arizeai/openinference-core`, which OITracer merges into the span's first
 *    attributes and masks by its trace config), and
 *  - remember a model call's span by run id, read from the tracer's run table once
 *    `startTracing` has made it (the one private field this relies on; versions in
 *    docs/frameworks.md, pinned by tests/integrations/langchain.test.ts).
 *
 * If OpenInference changes so that the table is gone, request text and tool
 * arguments still come early; tokens are then not linked, and that is reported once.
 */
export class OpenInferenceRunSpans {
  private readonly spans = new Map<string, Span>();
  private warned = false;

  /** Wraps the tracer class of an OpenInference-instrumented CallbackManager; throws if there is none. */
  install(): void {
    const tracer = CallbackManager.configure()?.handlers.find((handler) => handler.name === OPENINFERENCE_TRACER_NAME);
    if (tracer === undefined) {
      throw new Error(
        'aaep-otel/langchain: LangChain is not instrumented by OpenInference. Call ' +
          'new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule) before registerAaepLangChain().',
      );
    }
    const prototype = Object.getPrototypeOf(tracer) as OpenInferenceTracer & { [PATCHED]?: OpenInferenceRunSpans };
    if (prototype[PATCHED] !== undefined) {
      prototype[PATCHED] = this;
      return;
    }
    const original = prototype.startTracing;
    prototype[PATCHED] = this;
    prototype.startTracing = async function (this: OpenInferenceTracer, run: Run): Promise<void> {
      const links = prototype[PATCHED]!;
      const early = earlyAttributes(run);
      await (early === undefined ? original.call(this, run) : context.with(setAttributes(context.active(), early), () => original.call(this, run)));
      if (run.run_type === 'llm') links.remember(run.id, this.runs);
    };
  }

  /** The span of a model-call run still open, if linked. */
  spanOf(runId: string): Span | undefined {
    return this.spans.get(runId);
  }

  forget(runId: string): void {
    this.spans.delete(runId);
  }

  private remember(runId: string, runs: OpenInferenceTracer['runs']): void {
    const span = runs?.[runId]?.span;
    if (span === undefined) {
      if (!this.warned) diag.warn('aaep-otel/langchain: OpenInference run table not found; streamed tokens are heard at span end only.');
      this.warned = true;
      return;
    }
    if (this.spans.size >= MAX_LINKED_RUNS) this.spans.delete(this.spans.keys().next().value!);
    this.spans.set(runId, span);
  }
}

/** `input.value` as OpenInference records it at the end (one string input as is, else JSON). */
function earlyAttributes(run: Run): { 'input.value': string } | undefined {
  const isRootChain = run.run_type === 'chain' && run.parent_run_id === undefined;
  if (!isRootChain && run.run_type !== 'tool') return undefined;
  const inputs = run.inputs as Record<string, unknown> | undefined;
  if (inputs == null) return undefined;
  const values = Object.values(inputs);
  try {
    const value = values.length === 1 && typeof values[0] === 'string' ? values[0] : JSON.stringify(inputs);
    return typeof value === 'string' ? { 'input.value': value } : undefined;
  } catch {
    return undefined;
  }
}
