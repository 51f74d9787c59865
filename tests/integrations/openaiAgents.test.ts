/**
 * aaep-otel/openai-agents: an OpenAI Agents SDK (JS) agent traced by its own
 * tracing, fed through AaepTracingProcessor into AaepSpanProcessor's translator,
 * heard over a real server and SSE. The model is scripted offline and records its
 * generation span as the SDK's OpenAI provider does (withGenerationSpan).
 */
import {
  Agent,
  Usage,
  createGenerationSpan,
  run,
  setTraceProcessors,
  setTracingDisabled,
  tool,
  withGenerationSpan,
  type Model,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents-core';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AaepTracingProcessor, withAaepStreaming } from '../../src/integrations/openai-agents/index.js';
import { outputsOf, startLiveAgent, type LiveAgent } from '../helpers/liveAgent.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { heardFromExample } from '../helpers/exampleProcess.js';

// The SDK turns its tracing off when NODE_ENV is "test", as under vitest.
setTracingDisabled(false);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const ANSWER = 'The first flight leaves at 07:10. Expect light snow in Oslo.';
const ofType = (events: WireEvent[], type: string) => events.filter((event) => event.type === `aaep:agent.${type}`);

/** First call: get_weather for Oslo. Second: the answer. Each recorded on a generation span. */
class ScriptedModel implements Model {
  private calls = 0;
  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const call = this.calls++;
    return withGenerationSpan(async (span) => {
      span.spanData.model = 'scripted-1';
      span.spanData.input = [{ role: 'user', content: String(request.input) }];
      await new Promise((resolve) => setTimeout(resolve, 50));
      const output: ModelResponse['output'] =
        call === 0
          ? [{ type: 'function_call', callId: 'call_w1', name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'completed' }]
          : [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: ANSWER }] }];
      span.spanData.output = output.map((item) => (item.type === 'message' ? { role: 'assistant', content: ANSWER } : { ...item }));
      return { usage: new Usage(), output };
    });
  }
  async *getStreamedResponse(): AsyncIterable<StreamEvent> {
    throw new Error('not scripted');
  }
}

const STREAMED = 'The first flight leaves at 07:10. The second leaves at 09:40. Expect light snow in Oslo.';
const STREAMED_DELTAS = ['The first ', 'flight leaves ', 'at 07:10. ', 'The second ', 'leaves at ', '09:40. ', 'Expect light ', 'snow in ', 'Oslo.'];

/** Streams STREAMED in nine deltas over about 2 s, inside a generation span, as the OpenAI provider does. */
class StreamingModel implements Model {
  spanEnd = 0;
  async getResponse(): Promise<ModelResponse> {
    throw new Error('not scripted');
  }
  async *getStreamedResponse(): AsyncIterable<StreamEvent> {
    const span = createGenerationSpan({ data: { model: 'scripted-stream-1' } });
    span.start();
    try {
      yield { type: 'response_started' };
      for (const delta of STREAMED_DELTAS) {
        await new Promise((resolve) => setTimeout(resolve, 220));
        yield { type: 'output_text_delta', delta };
      }
      span.spanData.output = [{ role: 'assistant', content: STREAMED }];
      yield {
        type: 'response_done',
        response: {
          id: 'resp_1',
          usage: { inputTokens: 1, outputTokens: 9, totalTokens: 10 },
          output: [{ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: STREAMED }] }],
        },
      };
    } finally {
      span.end();
      this.spanEnd = Date.now();
    }
  }
}

async function runTurn(agent: LiveAgent) {
  const heardAtToolStart: WireEvent[][] = [];
  const getWeather = tool({
    name: 'get_weather',
    description: 'Get the weather forecast for a city.',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      await agent.client.waitFor((events) => ofType(events, 'tool.invoked').length > 0, 5_000).catch(() => {});
      heardAtToolStart.push([...agent.client.events]);
      return JSON.stringify({ city, sky: 'light snow' });
    },
  });
  const travel = new Agent({ name: 'Travel assistant', instructions: 'Help with travel.', model: new ScriptedModel(), tools: [getWeather] });
  const result = await run(travel, 'What is the weather in Oslo?');
  await agent.aaep.forceFlush();
  await agent.client.waitFor(sessionDone());
  return { text: result.finalOutput, heardAtToolStart };
}

describe('OpenAI Agents SDK through AaepTracingProcessor', () => {
  it('one session; the tool announced with its arguments before its body runs and completed once; the answer once, complete', async () => {
    const agent = await startLiveAgent();
    cleanups.push(() => agent.close());
    setTraceProcessors([new AaepTracingProcessor(agent.aaep)]);
    const { text, heardAtToolStart } = await runTurn(agent);
    const events = agent.client.events;
    expectLegalStream(events);
    expect(text).toBe(ANSWER);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(1);
    expect(ofType(heardAtToolStart[0]!, 'tool.invoked')).toMatchObject([{ tool: 'get_weather', args_summary: 'city: Oslo' }]);
    expect(ofType(events, 'tool.invoked')).toHaveLength(1);
    expect(ofType(events, 'tool.completed')).toMatchObject([{ tool: 'get_weather', status: 'success' }]);
    expect([...outputsOf(events).values()]).toEqual([{ text: ANSWER, completes: 1 }]);
    expect(ofType(events, 'session.completed')).toMatchObject([{ tool_invocations_count: 1, output_summary: ANSWER }]);
  }, 30_000);

  async function streamedRun(live: boolean) {
    const agent = await startLiveAgent();
    cleanups.push(() => agent.close());
    const processor = new AaepTracingProcessor(agent.aaep);
    setTraceProcessors([processor]);
    const model = new StreamingModel();
    const travel = new Agent({ name: 'Travel assistant', instructions: 'Help with travel.', model: live ? withAaepStreaming(model, processor) : model });
    const firstSentence = agent.arrivalOf((event) => event.type === 'aaep:agent.output.streaming' && String(event.chunk).startsWith('The first flight'));
    const result = await run(travel, 'When do flights to Oslo leave?', { stream: true });
    for await (const _event of result) void _event;
    await result.completed;
    await agent.client.waitFor(sessionDone());
    expectLegalStream(agent.client.events);
    expect(result.finalOutput).toBe(STREAMED);
    return { events: agent.client.events, firstSentenceAt: await firstSentence, spanEnd: model.spanEnd };
  }

  it('a streamed run is heard a sentence at a time while the model streams (withAaepStreaming), one complete chunk, the same text', async () => {
    const { events, firstSentenceAt, spanEnd } = await streamedRun(true);
    expect(firstSentenceAt).toBeLessThan(spanEnd);
    expect([...outputsOf(events).values()]).toEqual([{ text: STREAMED, completes: 1 }]);
    expect(ofType(events, 'output.streaming').map((event) => event.chunk)).toEqual([
      'The first flight leaves at 07:10. ',
      'The second leaves at 09:40. ',
      'Expect light snow in Oslo.',
    ]);
    // Without the model wrapper: the same text, heard once the generation span has ended.
    const plain = await streamedRun(false);
    expect(plain.firstSentenceAt).toBeGreaterThanOrEqual(plain.spanEnd);
    expect([...outputsOf(plain.events).values()]).toEqual([{ text: STREAMED, completes: 1 }]);
  }, 30_000);
});

describe('examples/openai-agents', () => {
  it('runs offline and serves a legal turn: the tool with its arguments, the answer a sentence at a time', async () => {
    const events = await heardFromExample('examples/openai-agents/main.ts', []);
    expectLegalStream(events);
    expect(ofType(events, 'tool.invoked')).toMatchObject([{ tool: 'search_flights', args_summary: 'from: Bergen, to: Oslo' }]);
    expect(ofType(events, 'output.streaming').map((event) => event.chunk)).toEqual([
      'I found three morning flights from Bergen to Oslo. ',
      'The first leaves at 07:10. ',
      'Shall I book one?',
    ]);
  }, 60_000);
});
