import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { registerConfigureHook, setContextVariable } from '@langchain/core/context';
import { LiveModelOutput } from '../LiveModelOutput.js';
import { OpenInferenceRunSpans } from './OpenInferenceRunSpans.js';

const CONTEXT_VARIABLE = 'aaep_otel_live_tokens';

/** Streams each linked model call's tokens onto its OpenInference span as they arrive. */
class AaepLiveTokens extends BaseCallbackHandler {
  name = 'aaep_otel_live_tokens';
  private readonly outputs = new Map<string, LiveModelOutput>();

  constructor(
    private readonly links: OpenInferenceRunSpans,
    private readonly recordText: boolean,
  ) {
    super();
  }

  override handleLLMNewToken(token: string, _idx: unknown, runId: string): void {
    let output = this.outputs.get(runId);
    if (output === undefined) {
      const span = this.links.spanOf(runId);
      if (span === undefined || !span.isRecording()) return;
      output = new LiveModelOutput(span, { recordText: this.recordText, recordArguments: false });
      this.outputs.set(runId, output);
    }
    output.text(token);
  }

  override handleLLMEnd(_output: unknown, runId: string): void {
    this.forget(runId);
  }

  override handleLLMError(_error: unknown, runId: string): void {
    this.forget(runId);
  }

  // The rest of the text is the span's final output: the translator adds only what was not streamed.
  private forget(runId: string): void {
    this.outputs.delete(runId);
    this.links.forget(runId);
  }
}

/**
 * One call at start-up, after OpenInference's LangChain instrumentation, makes
 * LangChain runs heard live: a root chain's span starts with the request, a tool's
 * with its arguments (so `tool.invoked` says them before the tool runs), and a
 * streaming model's tokens become `aaep.output.chunk` events on its LLM span.
 * The handler joins every run through LangChain's `registerConfigureHook`, in the
 * async context of the caller and everything it starts (call it at the top level
 * of your entry module). `OPENINFERENCE_HIDE_OUTPUTS=true` records no tokens.
 */
export function registerAaepLangChain(): void {
  const links = new OpenInferenceRunSpans();
  links.install();
  const hideOutputs = /^true$/i.test(process.env.OPENINFERENCE_HIDE_OUTPUTS ?? '') || /^true$/i.test(process.env.OPENINFERENCE_HIDE_OUTPUT_MESSAGES ?? '');
  registerConfigureHook({ contextVar: CONTEXT_VARIABLE, inheritable: true });
  setContextVariable(CONTEXT_VARIABLE, new AaepLiveTokens(links, !hideOutputs));
}
