/**
 * aaep-otel/openai-agents: an OpenAI Agents SDK (JS) agent traced by its own
 * tracing, fed through AaepTracingProcessor into AaepSpanProcessor's translator,
 * heard over a real server and SSE. The model is scripted offline and records its
 * generation span as the SDK's OpenAI provider does (withGenerationSpan).
 */
import { Agent, Usage, run, setTraceProcessors, setTracingDisabled, tool, withGenerationSpan, type Model, type ModelRequest, type ModelResponse } from '@openai/agents-core';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AaepTracingProcessor } from '../../src/integrations/openai-agents/index.js';
import { outputsOf, startLiveAgent, type LiveAgent } from '../helpers/liveAgent.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

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
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('not scripted');
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
});
