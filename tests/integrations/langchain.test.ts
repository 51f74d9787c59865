/**
 * aaep-otel/langchain: LangChain.js traced by OpenInference, plus registerAaepLangChain,
 * heard while it works — request at the start, tool arguments before the tool runs,
 * tokens as the model streams — over a real server and SSE.
 */
import { readFileSync } from 'node:fs';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel, FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerAaepLangChain } from '../../src/integrations/langchain/index.js';
import { OpenInferenceRunSpans } from '../../src/integrations/langchain/OpenInferenceRunSpans.js';
import { endTimeOf, heardThroughReceiver, outputsOf, startLiveAgent, type LiveAgent } from '../helpers/liveAgent.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { heardFromExample } from '../helpers/exampleProcess.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const instrumentation = new LangChainInstrumentation();
instrumentation.manuallyInstrument(CallbackManagerModule);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const ANSWER = 'The first flight leaves at 07:10. The second leaves at 09:40. Expect light snow in Oslo.';
const ofType = (events: WireEvent[], type: string) => events.filter((event) => event.type === `aaep:agent.${type}`);

/** A planner calling search_flights, the tool, then a writer streaming ANSWER a character every 24 ms (about 2 s). */
async function runTurn(agent: LiveAgent) {
  const heardAtToolStart: WireEvent[][] = [];
  const searchFlights = tool(
    async ({ from, to }) => {
      await agent.client.waitFor((events) => ofType(events, 'tool.invoked').length > 0, 5_000).catch(() => {});
      heardAtToolStart.push([...agent.client.events]);
      return JSON.stringify({ from, to, flights: ['07:10', '09:40'] });
    },
    { name: 'search_flights', description: 'Search for flights between two cities.', schema: z.object({ from: z.string(), to: z.string() }) },
  );
  const planner = new FakeStreamingChatModel({
    responses: [new AIMessage('')],
    chunks: [new AIMessageChunk({ content: '', tool_calls: [{ name: 'search_flights', args: { from: 'Bergen', to: 'Oslo' }, id: 'call_f1', type: 'tool_call' }] })],
  }).bindTools([searchFlights]);
  const writer = new FakeListChatModel({ responses: [ANSWER], sleep: 24 });
  const agentChain = RunnableLambda.from(async (input: { input: string }, config?: RunnableConfig) => {
    const messages: BaseMessage[] = [new HumanMessage(input.input)];
    const decision = (await planner.invoke(messages, config)) as AIMessage;
    messages.push(decision);
    for (const call of decision.tool_calls ?? []) messages.push((await searchFlights.invoke(call, config)) as ToolMessage);
    let text = '';
    for await (const chunk of await writer.stream(messages, config)) text += String(chunk.content);
    return { output: text };
  }).withConfig({ runName: 'travel_agent' });
  const firstSentence = agent.arrivalOf((event) => event.type === 'aaep:agent.output.streaming' && String(event.chunk).startsWith('The first flight'));
  const result = await agentChain.invoke({ input: 'Find flights from Bergen to Oslo' });
  await agent.aaep.forceFlush();
  await agent.client.waitFor(sessionDone());
  const llms = agent.spans().filter((span) => span.attributes['openinference.span.kind'] === 'LLM');
  return { text: result.output, firstSentenceAt: await firstSentence, answerCall: llms.at(-1)!, heardAtToolStart };
}

async function liveAgent(receiverUrl?: string) {
  const agent = await startLiveAgent(
    receiverUrl === undefined
      ? {}
      : { agentId: 'aaep-otel-receiver', agentName: undefined, extra: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiverUrl}/v1/traces` }), { scheduledDelayMillis: 20 })] },
  );
  instrumentation.setTracerProvider(agent.provider);
  cleanups.push(() => agent.close());
  return agent;
}

describe('LangChain without registerAaepLangChain (as today)', () => {
  it('the answer is heard only once its LLM span has ended, the tool by name only', async () => {
    const agent = await liveAgent();
    const { text, firstSentenceAt, answerCall } = await runTurn(agent);
    expectLegalStream(agent.client.events);
    expect(text).toBe(ANSWER);
    expect(firstSentenceAt).toBeGreaterThanOrEqual(endTimeOf(answerCall));
    expect(ofType(agent.client.events, 'session.started')[0]!.request_text).toBeUndefined();
    expect(ofType(agent.client.events, 'tool.invoked')[0]!.args_summary).toBeUndefined();
    expect([...outputsOf(agent.client.events).values()]).toEqual([{ text: ANSWER, completes: 1 }]);
  }, 30_000);
});

describe('LangChain with registerAaepLangChain', () => {
  it('the first sentence is heard while the model still streams; one complete chunk, the same text', async () => {
    registerAaepLangChain();
    const agent = await liveAgent();
    const { text, firstSentenceAt, answerCall } = await runTurn(agent);
    const events = agent.client.events;
    expectLegalStream(events);
    expect(text).toBe(ANSWER);
    expect(firstSentenceAt).toBeLessThan(endTimeOf(answerCall));
    expect([...outputsOf(events).values()]).toEqual([{ text: ANSWER, completes: 1 }]);
    expect(ofType(events, 'output.streaming').map((event) => event.chunk)).toEqual([
      'The first flight leaves at 07:10. ',
      'The second leaves at 09:40. ',
      'Expect light snow in Oslo.',
    ]);
  }, 30_000);

  it('the session starts with the request, and the tool is announced with its arguments before its body runs, completed once', async () => {
    registerAaepLangChain();
    const agent = await liveAgent();
    const { heardAtToolStart } = await runTurn(agent);
    const events = agent.client.events;
    expectLegalStream(events);
    expect(ofType(events, 'session.started')[0]!.request_text).toBe('Find flights from Bergen to Oslo');
    const invoked = ofType(heardAtToolStart[0]!, 'tool.invoked');
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({ tool: 'search_flights', args_summary: 'from: Bergen, to: Oslo' });
    expect(ofType(events, 'tool.invoked')).toHaveLength(1);
    expect(ofType(events, 'tool.completed')).toMatchObject([{ tool: 'search_flights', status: 'success', tool_call_id: invoked[0]!.tool_call_id }]);
  }, 30_000);

  it('through the receiver, the exported spans give exactly the in-process stream', async () => {
    registerAaepLangChain();
    const { remote, published } = await heardThroughReceiver(async (url) => {
      const agent = await liveAgent(url);
      await runTurn(agent);
      return agent;
    });
    expectLegalStream(remote);
    expect(ofType(remote, 'output.streaming')).toHaveLength(3);
    expect(remote).toEqual(published);
  }, 30_000);
});

describe('the OpenInference link this relies on', () => {
  const versionOf = (name: string) =>
    (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

  it('is tested with these versions: a change here needs the link re-checked (docs/frameworks.md)', () => {
    expect({
      '@langchain/core': versionOf('@langchain/core'),
      '@arizeai/openinference-instrumentation-langchain': versionOf('@arizeai/openinference-instrumentation-langchain'),
      '@arizeai/openinference-core': versionOf('@arizeai/openinference-core'),
    }).toEqual({ '@langchain/core': '1.4.0', '@arizeai/openinference-instrumentation-langchain': '4.1.1', '@arizeai/openinference-core': '2.7.1' });
  });

  it('finds the span OpenInference made for a model-call run, by run id', async () => {
    const links = new OpenInferenceRunSpans();
    links.install();
    const agent = await liveAgent();
    const seen: Array<string | undefined> = [];
    const model = new FakeListChatModel({ responses: ['Hello there.'], sleep: 1 });
    const stream = await model.stream('Hi', {
      callbacks: [{ handleLLMNewToken: (_token: string, _idx: unknown, runId: string) => void seen.push(links.spanOf(runId)?.spanContext().spanId) }],
    });
    for await (const _chunk of stream) void _chunk;
    await awaitAllCallbacks();
    const [llm] = agent.spans().filter((span) => span.attributes['openinference.span.kind'] === 'LLM');
    expect(seen.length).toBeGreaterThan(0);
    // Every token of the run resolves to that run's own span: if OpenInference changes how it keeps runs, this fails.
    expect(new Set(seen)).toEqual(new Set([llm!.spanContext().spanId]));
  });
});

describe('examples/langchain --live', () => {
  it('runs offline and serves a legal turn: request at the start, tool arguments, the answer a sentence at a time', async () => {
    const events = await heardFromExample('examples/langchain/main.ts', ['--live']);
    expectLegalStream(events);
    expect(ofType(events, 'session.started')[0]!.request_text).toBe('Find flights from Bergen to Oslo tomorrow morning');
    expect(ofType(events, 'tool.invoked')[0]!.args_summary).toBe('from: Bergen, to: Oslo');
    expect(ofType(events, 'output.streaming').map((event) => event.chunk)).toContain('The first leaves at 07:10. ');
  }, 60_000);
});
