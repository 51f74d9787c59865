/**
 * The Vercel AI SDK (ai 7) traced by its own OpenTelemetry integrations, both
 * generations, into the real SDK and AaepSpanProcessor: the AAEP stream a
 * subscriber hears, with no AAEP code in the agent.
 */
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { APICallError, Output, generateText, registerTelemetry, stepCountIs, streamText, tool, type Telemetry } from 'ai';
import { MockLanguageModelV4, simulateReadableStream } from 'ai/test';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { collectEvents } from '../helpers/hubEvents.js';
import { heardFromExample } from '../helpers/exampleProcess.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

type GenerateResult = Awaited<ReturnType<MockLanguageModelV4['doGenerate']>>;
type StreamResult = Awaited<ReturnType<MockLanguageModelV4['doStream']>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;
type Content = GenerateResult['content'][number];

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 9, text: 9, reasoning: undefined },
};

function generated(content: Content[], reason: 'stop' | 'tool-calls' | 'length'): GenerateResult {
  return { content, finishReason: { unified: reason, raw: reason }, usage, warnings: [] };
}

function toolCall(toolName: string, input: Record<string, unknown>, id = `call_${toolName}`): Content & StreamPart {
  return { type: 'tool-call', toolCallId: id, toolName, input: JSON.stringify(input) };
}

function streamed(parts: StreamPart[]): StreamResult {
  return { stream: simulateReadableStream({ chunks: parts, initialDelayInMs: 2, chunkDelayInMs: 2 }) };
}

function textParts(deltas: string[]): StreamPart[] {
  return [
    { type: 'text-start', id: 'text-1' },
    ...deltas.map((delta): StreamPart => ({ type: 'text-delta', id: 'text-1', delta })),
    { type: 'text-end', id: 'text-1' },
  ];
}

function finishPart(reason: 'stop' | 'tool-calls'): StreamPart {
  return { type: 'finish', finishReason: { unified: reason, raw: reason }, usage };
}

const searches: string[] = [];
const tools = {
  searchWeb: tool({
    description: 'Search the web for up-to-date information.',
    inputSchema: z.object({ query: z.string() }),
    execute: async ({ query }) => {
      searches.push(query);
      return { results: [`${query}: three morning departures`] };
    },
  }),
  getWeather: tool({
    description: 'Get the weather forecast for a city.',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, sky: 'snow', celsius: -3 }),
  }),
  bookTable: tool({
    description: 'Book a table at a restaurant.',
    inputSchema: z.object({ restaurant: z.string(), time: z.string() }),
    execute: async (): Promise<string> => {
      throw new Error('Mat is fully booked tonight');
    },
  }),
};

/** A provider with the AaepSpanProcessor (and whatever else), and the events its hub publishes. */
function agentProvider(extra: SpanProcessor[] = [], options: { agentId?: string; agentName?: string } = { agentName: 'Travel assistant' }) {
  const aaep = new AaepSpanProcessor({ agentId: 'vercel-agent', ...options });
  const events = collectEvents(aaep.hub);
  const provider = new BasicTracerProvider({ spanProcessors: [...extra, aaep] });
  cleanups.push(() => provider.shutdown());
  return { aaep, events, tracer: provider.getTracer('ai'), provider };
}

type Generation = 'current' | 'legacy';
const integrationFor = (generation: Generation, tracer: Tracer): Telemetry =>
  generation === 'current' ? new OpenTelemetry({ tracer }) : new LegacyOpenTelemetry({ tracer });

const types = (events: WireEvent[]) => events.map((event) => event.type.replace('aaep:agent.', ''));
const ofType = (events: WireEvent[], type: string) => events.filter((event) => event.type === `aaep:agent.${type}`);
const outputText = (events: WireEvent[]) => ofType(events, 'output.streaming').map((event) => String(event.chunk)).join('');

/** A two-tool, three-step turn: search, weather, answer. */
function travelModel() {
  return new MockLanguageModelV4({
    modelId: 'travel-model-1',
    doGenerate: [
      generated([{ type: 'text', text: 'Let me look that up.' }, toolCall('searchWeb', { query: 'flights to Oslo' })], 'tool-calls'),
      generated([toolCall('getWeather', { city: 'Oslo' })], 'tool-calls'),
      generated([{ type: 'text', text: 'I found three morning flights. Expect snow in Oslo.' }], 'stop'),
    ],
    doStream: [
      streamed([{ type: 'stream-start', warnings: [] }, ...textParts(['Let me ', 'look that up.']), toolCall('searchWeb', { query: 'flights to Oslo' }), finishPart('tool-calls')]),
      streamed([{ type: 'stream-start', warnings: [] }, toolCall('getWeather', { city: 'Oslo' }), finishPart('tool-calls')]),
      streamed([
        { type: 'stream-start', warnings: [] },
        ...textParts(['I found three ', 'morning flights. Expect ', 'snow in Oslo.']),
        finishPart('stop'),
      ]),
    ],
  });
}

function expectTravelTurn(events: WireEvent[], answerSteps: string[], finalText: string): void {
  expectLegalStream(events);
  expect(new Set(events.map((event) => event.session_id)).size).toBe(1);
  const started = ofType(events, 'session.started')[0]!;
  expect(started.request_text).toBe('Find flights to Oslo and tell me the weather');
  expect(started.summary_normal).toBe('Travel assistant is working on your request: Find flights to Oslo and tell me the weather');

  const invoked = ofType(events, 'tool.invoked');
  const completed = ofType(events, 'tool.completed');
  expect(invoked.map((event) => event.tool)).toEqual(['searchWeb', 'getWeather']);
  expect(completed.map((event) => [event.tool, event.status])).toEqual([
    ['searchWeb', 'success'],
    ['getWeather', 'success'],
  ]);
  expect(invoked.map((event) => event.summary_normal)).toEqual([
    "Searching the web for 'flights to Oslo'.",
    "Getting the weather forecast for 'Oslo'.",
  ]);
  expect(invoked.map((event) => event.args_summary)).toEqual(['query: flights to Oslo', 'city: Oslo']);
  expect(completed[1]!.summary_normal).toBe('Get weather finished: city: Oslo, sky: snow, celsius: -3.');
  for (const event of [...invoked, ...completed]) expect(String(event.summary_normal)).not.toMatch(/ai\.toolCall|execute_tool|undefined|\{/);

  // Every model call's text, a sentence at a time, nothing lost or repeated.
  expect(outputText(events)).toBe(answerSteps.join(''));
  const outputs = new Map<string, string>();
  for (const event of ofType(events, 'output.streaming')) outputs.set(String(event.output_id), (outputs.get(String(event.output_id)) ?? '') + String(event.chunk));
  expect([...outputs.values()].at(-1)).toBe(finalText);
  expect(ofType(events, 'output.streaming').filter((event) => event.complete === true)).toHaveLength(outputs.size);

  const done = ofType(events, 'session.completed')[0]!;
  expect(done.tool_invocations_count).toBe(2);
  expect(done.output_summary).toBe(finalText);
  // Steps are structure: no session, tool or state of their own.
  expect(types(events).filter((type) => type === 'session.started')).toHaveLength(1);
}

describe.each<Generation>(['current', 'legacy'])('Vercel AI SDK, %s OpenTelemetry integration', (generation) => {
  it('generateText with tools over three steps: one session, one invoked/completed pair per tool call, the text of every step', async () => {
    const { aaep, events, tracer } = agentProvider();
    const result = await generateText({
      model: travelModel(),
      tools,
      prompt: 'Find flights to Oslo and tell me the weather',
      stopWhen: stepCountIs(5),
      telemetry: { integrations: integrationFor(generation, tracer) },
    });
    await aaep.forceFlush();
    expect(result.steps).toHaveLength(3);
    expectTravelTurn(events, result.steps.map((step) => step.text), result.text);
    expect(types(events)[0]).toBe('session.started');
    expect(types(events).at(-1)).toBe('session.completed');
  });

  it('streamText with tools: the same stream; the answer is announced when its model call ends, not per delta', async () => {
    const { aaep, events, tracer } = agentProvider();
    const result = streamText({
      model: travelModel(),
      tools,
      prompt: 'Find flights to Oslo and tell me the weather',
      stopWhen: stepCountIs(5),
      telemetry: { integrations: integrationFor(generation, tracer) },
    });
    let heardWhileStreaming: number | undefined;
    let text = '';
    for await (const delta of result.textStream) {
      text += delta;
      if (heardWhileStreaming === undefined && text.includes('I found')) {
        await aaep.forceFlush();
        heardWhileStreaming = ofType(events, 'output.streaming').filter((event) => String(event.chunk).includes('I found')).length;
      }
    }
    await aaep.forceFlush();
    // No span carries the deltas: the text arrives with the model-call span's end.
    expect(heardWhileStreaming).toBe(0);
    const steps = await result.steps;
    expectTravelTurn(events, steps.map((step) => step.text), await result.text);
    expect(text).toBe('Let me look that up.I found three morning flights. Expect snow in Oslo.');
  });

  it('a tool that throws completes with status error, and the session goes on', async () => {
    const { aaep, events, tracer } = agentProvider();
    const result = await generateText({
      model: new MockLanguageModelV4({
        doGenerate: [
          generated([toolCall('bookTable', { restaurant: 'Mat', time: '19:00' })], 'tool-calls'),
          generated([{ type: 'text', text: 'Sorry, Mat is fully booked tonight.' }], 'stop'),
        ],
      }),
      tools,
      prompt: 'Book Mat at seven',
      stopWhen: stepCountIs(3),
      telemetry: { integrations: integrationFor(generation, tracer) },
    });
    await aaep.forceFlush();
    expectLegalStream(events);
    const [invoked] = ofType(events, 'tool.invoked');
    expect(invoked?.summary_normal).toBe('Booking a table at a restaurant, restaurant: Mat, time: 19:00.');
    const [completed] = ofType(events, 'tool.completed');
    expect(completed).toMatchObject({ tool: 'bookTable', status: 'error', error_message: 'Mat is fully booked tonight' });
    expect(completed?.summary_normal).toBe('Book table failed: Mat is fully booked tonight.');
    expect(ofType(events, 'session.completed')).toHaveLength(1);
    expect(outputText(events)).toBe(result.text);
  });

  it('a model error ends the session with session.errored and a category', async () => {
    const { aaep, events, tracer } = agentProvider();
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        throw new APICallError({ message: 'Rate limit exceeded', url: 'https://api.example/v1', requestBodyValues: {}, statusCode: 429, isRetryable: false });
      },
    });
    await expect(
      generateText({ model, prompt: 'Hello', maxRetries: 0, telemetry: { integrations: integrationFor(generation, tracer) } }),
    ).rejects.toThrow('Rate limit exceeded');
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(types(events)).toEqual(['session.started', 'state.changed', 'session.errored']);
    expect(ofType(events, 'session.errored')[0]).toMatchObject({
      urgency: 'critical',
      error_category: 'transient',
      recoverable: true,
      summary_normal: 'Travel assistant could not finish: Rate limit exceeded.',
    });
  });
});

describe('Vercel AI SDK, current integration: what GenAI attributes add', () => {
  it('an invalid API key (HTTP 401) is an error the user has to fix', async () => {
    const { aaep, events, tracer } = agentProvider();
    const model = new MockLanguageModelV4({
      doStream: async () => {
        throw new APICallError({ message: 'Incorrect API key provided', url: 'https://api.example/v1', requestBodyValues: {}, statusCode: 401, isRetryable: false });
      },
    });
    const result = streamText({ model, prompt: 'Hello', maxRetries: 0, onError: () => {}, telemetry: { integrations: new OpenTelemetry({ tracer }) } });
    await expect(result.text).rejects.toThrow();
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(ofType(events, 'session.errored')[0]).toMatchObject({ error_category: 'requires_user', recoverable: false });
  });

  it('an answer cut off at the length limit is said so when the session completes', async () => {
    const { aaep, events, tracer } = agentProvider();
    await generateText({
      model: new MockLanguageModelV4({ doGenerate: generated([{ type: 'text', text: 'The history of Oslo begins' }], 'length') }),
      prompt: 'Tell me the history of Oslo',
      telemetry: { integrations: new OpenTelemetry({ tracer }), functionId: 'History buff' },
    });
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(ofType(events, 'session.started')[0]?.summary_normal).toBe('History buff is working on your request: Tell me the history of Oslo');
    expect(ofType(events, 'session.completed')[0]?.summary_normal).toBe(
      'Done, but the answer was cut short: the model reached its length limit.',
    );
  });
  it('structured output is read as "key: value", never as raw JSON', async () => {
    const { aaep, events, tracer } = agentProvider();
    const result = await generateText({
      model: new MockLanguageModelV4({ doGenerate: generated([{ type: 'text', text: '{"city":"Oslo","flights":3}' }], 'stop') }),
      output: Output.object({ schema: z.object({ city: z.string(), flights: z.number() }) }),
      prompt: 'How many flights go to Oslo tomorrow?',
      telemetry: { integrations: new OpenTelemetry({ tracer }) },
    });
    await aaep.forceFlush();
    expect(result.output).toEqual({ city: 'Oslo', flights: 3 });
    expectLegalStream(events);
    expect(outputText(events)).toBe('city: Oslo, flights: 3');
  });
});

describe('Vercel AI SDK through the receiver', () => {
  it('the same framework spans exported over OTLP give exactly the in-process stream: same ids, order and content', async () => {
    const receiver = await startTestReceiver();
    cleanups.push(() => receiver.close());
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());
    const exporter = new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` });
    // The receiver's producer: its agent id, no configured name (the spans name the agent).
    const { aaep, events, tracer, provider } = agentProvider([new BatchSpanProcessor(exporter, { scheduledDelayMillis: 20 })], {
      agentId: 'aaep-otel-receiver',
    });
    const telemetry = { integrations: new OpenTelemetry({ tracer }), functionId: 'Travel assistant' };
    await generateText({ model: travelModel(), tools, prompt: 'Find flights to Oslo and tell me the weather', stopWhen: stepCountIs(5), telemetry });
    const streamedTurn = streamText({ model: travelModel(), tools, prompt: 'Find flights to Oslo and tell me the weather', stopWhen: stepCountIs(5), telemetry });
    await streamedTurn.consumeStream();
    await streamedTurn.text;
    await provider.forceFlush();
    await client.waitFor((received) => received.filter((event) => event.type === 'aaep:agent.session.completed').length === 2);
    await aaep.forceFlush();
    expect(events.length).toBeGreaterThan(30);
    expectLegalStream(client.events);
    expect(client.events).toEqual(events);
  });
});

describe('Vercel AI SDK with the documented global setup', () => {
  afterAll(() => {
    // registerTelemetry appends to a process-wide list; leave it as we found it.
    const registered = (globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] }).AI_SDK_TELEMETRY_INTEGRATIONS;
    if (registered !== undefined) registered.length = 0;
  });

  it('registerTelemetry(new OpenTelemetry({ tracer })) is all an agent needs', async () => {
    const { aaep, events, tracer } = agentProvider();
    registerTelemetry(new OpenTelemetry({ tracer }));
    const result = await generateText({ model: travelModel(), tools, prompt: 'Find flights to Oslo and tell me the weather', stopWhen: stepCountIs(5) });
    await aaep.forceFlush();
    expectTravelTurn(events, result.steps.map((step) => step.text), result.text);
    expect(searches).toContain('flights to Oslo');
  });
});

describe('examples/vercel-ai-sdk', () => {
  for (const args of [[], ['--legacy']]) {
    it(`runs offline and serves a whole, legal turn ${args.join(' ')}`.trim(), async () => {
      const events = await heardFromExample('examples/vercel-ai-sdk/main.ts', args);
      expectLegalStream(events);
      expect(types(events)[0]).toBe('session.started');
      expect(types(events).at(-1)).toBe('session.completed');
      expect(ofType(events, 'tool.invoked')[0]?.summary_normal).toBe(
        'Searching for flights between two cities, from: Bergen, to: Oslo, when: tomorrow morning.',
      );
      expect(outputText(events)).toContain('The first leaves at 07:10.');
    }, 60_000);
  }
});
