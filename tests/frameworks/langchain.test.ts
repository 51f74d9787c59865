/**
 * LangChain.js traced by OpenInference (`@arizeai/openinference-instrumentation-langchain`,
 * manual instrumentation as its README describes), run with LangChain's own fake
 * chat models and a real tool, into the real SDK and AaepSpanProcessor.
 *
 * The OpenInference tracer starts every span without attributes and sets
 * `openinference.span.kind` (and the rest) immediately after; AaepSpanProcessor
 * holds such spans back until they say what they are (src/sources/LateClassification.ts).
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage, type ToolCall } from '@langchain/core/messages';
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel, FakeStreamingChatModel } from '@langchain/core/utils/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { collectEvents } from '../helpers/hubEvents.js';
import { heardFromExample } from '../helpers/exampleProcess.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const instrumentation = new LangChainInstrumentation();
instrumentation.manuallyInstrument(CallbackManagerModule);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function subscribe(aaep: AaepSpanProcessor): WireEvent[] {
  const events = collectEvents(aaep.hub);
  return events;
}

/** LangChain traced into `processors`; returns the AaepSpanProcessor's events. */
function traceInto(processors: (aaep: AaepSpanProcessor) => SpanProcessor[], agentName: string | undefined = 'Travel assistant') {
  const aaep = new AaepSpanProcessor({ agentId: 'langchain-agent', ...(agentName !== undefined && { agentName }) });
  const events = subscribe(aaep);
  const provider = new BasicTracerProvider({ spanProcessors: processors(aaep) });
  instrumentation.setTracerProvider(provider);
  cleanups.push(() => provider.shutdown());
  return { aaep, events, provider };
}

const types = (events: WireEvent[]) => events.map((event) => event.type.replace('aaep:agent.', ''));
const ofType = (events: WireEvent[], type: string) => events.filter((event) => event.type === `aaep:agent.${type}`);
const outputText = (events: WireEvent[]) => ofType(events, 'output.streaming').map((event) => String(event.chunk)).join('');

const searchFlights = tool(async ({ from, to }) => JSON.stringify({ flights: 3, first: `${from} to ${to} at 07:10` }), {
  name: 'search_flights',
  description: 'Search for flights between two cities.',
  schema: z.object({ from: z.string(), to: z.string() }),
});

const bookTable = tool(
  async (): Promise<string> => {
    throw new Error('Mat is fully booked tonight');
  },
  { name: 'book_table', description: 'Book a table at a restaurant.', schema: z.object({ restaurant: z.string() }) },
);

/** A model that answers with a tool call (LangChain's fake streaming chat model, tools bound). */
function plannerCalling(name: string, args: Record<string, string>, say: string) {
  return new FakeStreamingChatModel({
    responses: [new AIMessage(say)],
    chunks: [new AIMessageChunk({ content: '', tool_calls: [{ name, args, id: `call_${name}`, type: 'tool_call' }] })],
  }).bindTools([searchFlights, bookTable]);
}

/**
 * A small tool-using agent as LangChain code usually is: a runnable that asks the
 * model, runs the tools it called, then streams the answer.
 */
function travelAgent(planner: ReturnType<typeof plannerCalling>, writer: FakeListChatModel) {
  const tools = new Map<string, { invoke(call: ToolCall, config?: RunnableConfig): Promise<unknown> }>([
    [searchFlights.name, searchFlights],
    [bookTable.name, bookTable],
  ]);
  return RunnableLambda.from(async (input: { input: string }, config?: RunnableConfig) => {
    const messages: BaseMessage[] = [new HumanMessage(input.input)];
    const decision = (await planner.invoke(messages, config)) as AIMessage;
    messages.push(decision);
    for (const call of decision.tool_calls ?? []) {
      try {
        messages.push((await tools.get(call.name)!.invoke(call, config)) as ToolMessage);
      } catch (error) {
        messages.push(new ToolMessage({ content: `Error: ${(error as Error).message}`, tool_call_id: call.id ?? '' }));
      }
    }
    let text = '';
    for await (const chunk of await writer.stream(messages, config)) text += String(chunk.content);
    return { output: text };
  }).withConfig({ runName: 'travel_agent' });
}

describe('LangChain.js with OpenInference, in process', () => {
  it('a tool-using turn: one session, the tool by its name, every model text, schema-valid', async () => {
    const { aaep, events } = traceInto((aaep) => [aaep]);
    const answer = 'I found three flights. The first leaves at 07:10.';
    const result = await travelAgent(
      plannerCalling('search_flights', { from: 'Bergen', to: 'Oslo' }, 'Let me look that up.'),
      new FakeListChatModel({ responses: [answer] }),
    ).invoke({ input: 'Find flights from Bergen to Oslo' });
    await aaep.forceFlush();

    expect(result.output).toBe(answer);
    expectLegalStream(events);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(1);
    expect(types(events)).toEqual([
      'session.started',
      'state.changed', // thinking: the planner model starts
      'state.changed', // writing_output: its text, at its end
      'output.streaming',
      'state.changed', // calling_tool
      'tool.invoked',
      'tool.completed',
      'state.changed', // thinking: the writer model
      'state.changed', // writing_output
      'output.streaming',
      'output.streaming',
      'session.completed',
    ]);
    const [invoked] = ofType(events, 'tool.invoked');
    // At its start the tool span has its name (the span name) and nothing else.
    expect(invoked).toMatchObject({ tool: 'search_flights', summary_normal: 'Using search flights.' });
    const [completed] = ofType(events, 'tool.completed');
    expect(completed).toMatchObject({ tool: 'search_flights', status: 'success' });
    expect(completed?.summary_normal).toBe('Search flights finished: flights: 3, first: Bergen to Oslo at 07:10.');
    expect(outputText(events)).toBe(`Let me look that up.${answer}`);
    expect(ofType(events, 'session.completed')[0]).toMatchObject({ tool_invocations_count: 1, output_summary: answer });
    // Nothing in the stream names a LangChain internal.
    for (const event of events) expect(String(event.summary_normal ?? '')).not.toMatch(/Runnable|FakeList|FakeStreaming|undefined/);
  });

  it('a tool that throws completes with status error', async () => {
    const { aaep, events } = traceInto((aaep) => [aaep]);
    await travelAgent(
      plannerCalling('book_table', { restaurant: 'Mat' }, 'I will book it.'),
      new FakeListChatModel({ responses: ['Sorry, Mat is fully booked tonight.'] }),
    ).invoke({ input: 'Book Mat tonight' });
    await aaep.forceFlush();
    expectLegalStream(events);
    const [completed] = ofType(events, 'tool.completed');
    expect(completed).toMatchObject({ tool: 'book_table', status: 'error' });
    expect(String(completed?.error_message)).toContain('Mat is fully booked tonight');
    expect(ofType(events, 'session.completed')).toHaveLength(1);
  });

  it('a model error ends the session with session.errored and a category', async () => {
    const { aaep, events } = traceInto((aaep) => [aaep]);
    const failing = new FakeStreamingChatModel({ thrownErrorString: 'Rate limit reached for requests' }).bindTools([searchFlights]);
    await expect(travelAgent(failing, new FakeListChatModel({ responses: ['unused'] })).invoke({ input: 'Find flights' })).rejects.toThrow(
      'Rate limit reached',
    );
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(types(events)).toEqual(['session.started', 'state.changed', 'session.errored']);
    expect(ofType(events, 'session.errored')[0]).toMatchObject({ urgency: 'critical', error_category: 'transient' });
  });

  it('hears spans that OpenInference starts bare and describes just after, keeping their start order', async () => {
    const { aaep, events } = traceInto((aaep) => [aaep]);
    await travelAgent(
      plannerCalling('search_flights', { from: 'Bergen', to: 'Oslo' }, 'Let me look that up.'),
      new FakeListChatModel({ responses: ['Three flights.'] }),
    ).invoke({ input: 'Find flights from Bergen to Oslo' });
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(types(events)[0]).toBe('session.started');
    expect(ofType(events, 'tool.invoked')[0]).toMatchObject({ tool: 'search_flights' });
  });
});

describe('LangChain.js with OpenInference, through the receiver', () => {
  it('finished spans carry everything, so the request and the tool arguments are known from the start', async () => {
    const receiver = await startTestReceiver();
    cleanups.push(() => receiver.close());
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());
    const { provider } = traceInto((aaep) => [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }), { scheduledDelayMillis: 20 }),
      aaep,
    ]);
    const answer = 'I found three flights. The first leaves at 07:10.';
    await travelAgent(
      plannerCalling('search_flights', { from: 'Bergen', to: 'Oslo' }, 'Let me look that up.'),
      new FakeListChatModel({ responses: [answer] }),
    ).invoke({ input: 'Find flights from Bergen to Oslo' });
    await provider.forceFlush();
    await client.waitFor((events) => ofType(events, 'session.completed').length === 1);
    const events = client.events;
    expectLegalStream(events);
    expect(ofType(events, 'session.started')[0]).toMatchObject({ request_text: 'Find flights from Bergen to Oslo' });
    expect(ofType(events, 'tool.invoked')[0]).toMatchObject({
      tool: 'search_flights',
      args_summary: 'from: Bergen, to: Oslo',
      summary_normal: 'Using search flights, from: Bergen, to: Oslo.',
    });
    expect(ofType(events, 'tool.completed')[0]).toMatchObject({ status: 'success' });
    expect(outputText(events)).toBe(`Let me look that up.${answer}`);
  });
});

describe('examples/langchain', () => {
  it('runs offline and serves a whole, legal turn', async () => {
    const events = await heardFromExample('examples/langchain/main.ts');
    expectLegalStream(events);
    expect(types(events)[0]).toBe('session.started');
    expect(types(events).at(-1)).toBe('session.completed');
    expect(ofType(events, 'tool.invoked')[0]).toMatchObject({ tool: 'search_flights' });
    expect(outputText(events)).toContain('The first leaves at 07:10.');
  }, 60_000);
});
