/**
 * A LangChain.js agent made accessible with no AAEP code in it: OpenInference's
 * LangChain instrumentation traces it, and AaepSpanProcessor turns those spans into
 * an AAEP stream served over SSE. Offline: LangChain's own fake chat models
 * (`@langchain/core/utils/testing`) stand in for the model, the tools are real.
 *
 * With --live, `registerAaepLangChain()` (aaep-otel/langchain) makes the run heard as
 * it happens: the request when it starts, the tool's arguments before it runs, the
 * answer a sentence at a time while the model streams.
 *
 *   npx tsx examples/langchain/main.ts [--port N] [--interval MS] [--live] [--once]
 *
 *   --port N        AAEP server port (default AAEP_PORT or 4319; 0 picks a free one)
 *   --interval MS   time between turns (default 5000)
 *   --live          registerAaepLangChain(): heard while the run works
 *   --once          wait for a first subscriber (up to 10 s), run one turn, exit
 */
import { parseArgs } from 'node:util';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage, type ToolCall } from '@langchain/core/messages';
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel, FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { z } from 'zod';
import { AaepSpanProcessor } from '../../src/index.js';
import { registerAaepLangChain } from '../../src/integrations/langchain/index.js';
import { runTurns, serveExample, sleep, stopOnSignals } from '../runExample.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    interval: { type: 'string', default: '5000' },
    once: { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
  },
});


// 1. OpenTelemetry as usual, with AaepSpanProcessor next to your other processors.
const aaep = new AaepSpanProcessor({ agentId: 'langchain-travel-agent', agentName: 'Travel assistant' });
const sdk = new NodeSDK({ serviceName: 'langchain-travel-agent', spanProcessors: [aaep], instrumentations: [] });
sdk.start();

// 2. OpenInference's LangChain instrumentation, manually, as its README says.
new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);
// With --live, one more line: request, tool arguments and streamed tokens are heard as they happen.
if (values.live) registerAaepLangChain();

// 3. An ordinary LangChain agent: real tools, a model deciding, a model answering.
const searchFlights = tool(
  async ({ from, to }) => {
    await sleep(400);
    return JSON.stringify({ from, to, flights: ['07:10', '09:40', '11:05'] });
  },
  { name: 'search_flights', description: 'Search for flights between two cities.', schema: z.object({ from: z.string(), to: z.string() }) },
);
const getWeather = tool(
  async ({ city }) => {
    await sleep(300);
    return JSON.stringify({ city, sky: 'light snow', celsius: -3 });
  },
  { name: 'get_weather', description: 'Get the weather forecast for a city.', schema: z.object({ city: z.string() }) },
);
const tools = new Map<string, { invoke(call: ToolCall, config?: RunnableConfig): Promise<unknown> }>([
  [searchFlights.name, searchFlights],
  [getWeather.name, getWeather],
]);

/** What the fake models say for each request: the tool the planner calls, then the answer. */
const SCRIPT = [
  {
    request: 'Find flights from Bergen to Oslo tomorrow morning',
    call: { name: 'search_flights', args: { from: 'Bergen', to: 'Oslo' } },
    answer: 'I found three morning flights from Bergen to Oslo. The first leaves at 07:10. Shall I book one?',
  },
  {
    request: "What's the weather in Oslo tomorrow?",
    call: { name: 'get_weather', args: { city: 'Oslo' } },
    answer: 'Tomorrow brings light snow in Oslo, around minus three degrees. Dress warmly.',
  },
];

async function turn(step: (typeof SCRIPT)[number]): Promise<void> {
  const planner = new FakeStreamingChatModel({
    responses: [new AIMessage('Let me check that for you.')],
    chunks: [new AIMessageChunk({ content: '', tool_calls: [{ ...step.call, id: `call_${Date.now()}`, type: 'tool_call' }] })],
  }).bindTools([searchFlights, getWeather]);
  const writer = new FakeListChatModel({ responses: [step.answer], sleep: 15 });
  const agent = RunnableLambda.from(async (input: { input: string }, config?: RunnableConfig) => {
    const messages: BaseMessage[] = [new HumanMessage(input.input)];
    const decision = (await planner.invoke(messages, config)) as AIMessage;
    messages.push(decision);
    for (const call of decision.tool_calls ?? []) {
      const chosen = tools.get(call.name);
      if (chosen !== undefined) messages.push((await chosen.invoke(call, config)) as ToolMessage);
    }
    let text = '';
    for await (const chunk of await writer.stream(messages, config)) text += String(chunk.content);
    return { output: text };
  }).withConfig({ runName: 'travel_agent' });
  await agent.invoke({ input: step.request });
}

// 4. Serve the AAEP stream.
const server = await serveExample({
  hub: aaep.hub,
  port: values.port,
  title: `LangChain.js agent traced by OpenInference${values.live ? ', heard live' : ''}, offline fake chat models.`,
  once: values.once === true,
  stop: () => sdk.shutdown(),
});

await runTurns({
  hub: aaep.hub,
  stopper: stopOnSignals(sdk, server),
  once: values.once === true,
  intervalMs: Number(values.interval),
  inputs: SCRIPT,
  turn,
});
