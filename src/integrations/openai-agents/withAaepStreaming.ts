import { getCurrentTrace, type Model, type ModelRequest, type StreamEvent } from '@openai/agents-core';
import type { AaepTracingProcessor } from './AaepTracingProcessor.js';

/**
 * Decorates an Agents SDK model so a streamed run (`run(agent, input, { stream: true })`)
 * is heard live: each `output_text_delta` the model streams is handed to the
 * processor, which records it on the run's open model-call span. The SDK's tracing
 * carries no deltas, so this is the one place they pass. Everything else is the
 * model's own behaviour.
 *
 *   new Agent({ model: withAaepStreaming(model, processor), … })
 */
export function withAaepStreaming(model: Model, processor: AaepTracingProcessor): Model {
  return {
    ...(model.supportsPromptModelSelection !== undefined && { supportsPromptModelSelection: model.supportsPromptModelSelection }),
    getResponse: (request: ModelRequest) => model.getResponse(request),
    ...(model.getRetryAdvice !== undefined && { getRetryAdvice: model.getRetryAdvice.bind(model) }),
    async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
      for await (const event of model.getStreamedResponse(request)) {
        if (event.type === 'output_text_delta') {
          const traceId = getCurrentTrace()?.traceId;
          if (traceId !== undefined) processor.textDelta(traceId, event.delta);
        }
        yield event;
      }
    },
  };
}
