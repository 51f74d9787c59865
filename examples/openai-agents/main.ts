/**
 * An OpenAI Agents SDK (JS) agent made accessible: the SDK traces through its own
 * processors, not OpenTelemetry, so AaepTracingProcessor (aaep-otel/openai-agents)
 * feeds its spans into AaepSpanProcessor's translator, and withAaepStreaming hears
 * the streamed answer a sentence at a time. Offline: a scripted model that calls a
 * tool, then streams its answer word by word, recording a generation span as the
 * SDK's OpenAI provider does. Nothing is sent to OpenAI (the processor list is ours).
 *
 *   npx tsx examples/openai-agents/main.ts [--port N] [--interval MS] [--once]
 *
 *   --port N        AAEP server port (default AAEP_PORT or 4319; 0 picks a free one)
 *   --interval MS   time between turns (default 5000)
 *   --once          wait for a first subscriber (up to 10 s), run one turn, exit
 */
import { parseArgs } from 'node:util';
import {
  Agent,
  createGenerationSpan,
  run,
  setTraceProcessors,
  setTracingDisabled,
  tool,
  type AgentInputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents-core';
import { z } from 'zod';
import { AaepSpanProcessor } from '../../src/index.js';
import { AaepTracingProcessor, withAaepStreaming } from '../../src/integrations/openai-agents/index.js';
import { runTurns, serveExample, sleep, stopOnSignals } from '../runExample.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    interval: { type: 'string', default: '5000' },
    once: { type: 'boolean', default: false },
  },
});

// 1. The AAEP processor (no OpenTelemetry SDK needed) and the Agents SDK's tracing into it.
const aaep = new AaepSpanProcessor({ agentId: 'openai-travel-agent', agentName: 'Travel assistant' });
const tracing = new AaepTracingProcessor(aaep);
setTraceProcessors([tracing]);
// The SDK turns its tracing off when NODE_ENV is "test"; this example always traces.
setTracingDisabled(false);

// 2. An ordinary Agents SDK agent: a real tool, a (scripted, offline) streaming model.
const searchFlights = tool({
  name: 'search_flights',
  description: 'Search for flights between two cities.',
  parameters: z.object({ from: z.string(), to: z.string() }),
  execute: async ({ from, to }) => {
    await sleep(400);
    return JSON.stringify({ from, to, flights: ['07:10', '09:40', '11:05'] });
  },
});

/** First call: search_flights. Once a tool result is in the input: the answer, streamed word by word. */
class ScriptedModel implements Model {
  async getResponse(): Promise<ModelResponse> {
    throw new Error('This example streams: run(agent, input, { stream: true }).');
  }
  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const answered = Array.isArray(request.input) && (request.input as AgentInputItem[]).some((item) => item.type === 'function_call_result');
    const span = createGenerationSpan({ data: { model: 'scripted-travel-1' } });
    span.start();
    try {
      yield { type: 'response_started' };
      await sleep(300);
      if (!answered) {
        const call = { type: 'function_call' as const, callId: `call_${Date.now()}`, name: 'search_flights', arguments: '{"from":"Bergen","to":"Oslo"}', status: 'completed' as const };
        span.spanData.output = [call];
        yield { type: 'response_done', response: { id: 'resp_plan', usage: { inputTokens: 20, outputTokens: 5, totalTokens: 25 }, output: [call] } };
        return;
      }
      const answer = 'I found three morning flights from Bergen to Oslo. The first leaves at 07:10. Shall I book one?';
      for (const delta of answer.match(/\S+\s*/g) ?? []) {
        await sleep(60);
        yield { type: 'output_text_delta', delta };
      }
      span.spanData.output = [{ role: 'assistant', content: answer }];
      yield {
        type: 'response_done',
        response: {
          id: 'resp_answer',
          usage: { inputTokens: 40, outputTokens: 20, totalTokens: 60 },
          output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: answer }] }],
        },
      };
    } finally {
      span.end();
    }
  }
}

const agent = new Agent({
  name: 'Travel assistant',
  instructions: 'Help the user travel.',
  model: withAaepStreaming(new ScriptedModel(), tracing),
  tools: [searchFlights],
});

async function turn(request: string): Promise<void> {
  const result = await run(agent, request, { stream: true });
  for await (const _event of result) void _event;
  await result.completed;
}

// 3. Serve the AAEP stream.
const server = await serveExample({
  hub: aaep.hub,
  port: values.port,
  title: 'OpenAI Agents SDK agent traced by its own tracing, offline scripted model, heard live.',
  once: values.once === true,
  stop: () => aaep.shutdown(),
});

await runTurns({
  hub: aaep.hub,
  stopper: stopOnSignals(aaep, server),
  once: values.once === true,
  intervalMs: Number(values.interval),
  inputs: ['Find flights from Bergen to Oslo tomorrow morning'],
  turn,
});
