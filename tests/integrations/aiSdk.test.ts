/**
 * aaep-otel/ai-sdk: an AI SDK 7 agent traced by `@ai-sdk/otel`, decorated with
 * withAaepStreaming, heard while the model streams — over a real server and SSE.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { stepCountIs, streamText, tool, type Telemetry } from 'ai';
import { MockLanguageModelV4, simulateReadableStream } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withAaepStreaming } from '../../src/integrations/ai-sdk/index.js';
import { endTimeOf, heardThroughReceiver, outputsOf, startLiveAgent, startTimeOf, type LiveAgent } from '../helpers/liveAgent.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { heardFromExample } from '../helpers/exampleProcess.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

type StreamResult = Awaited<ReturnType<MockLanguageModelV4['doStream']>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 30, text: 30, reasoning: undefined },
};
const finish = (reason: 'stop' | 'tool-calls'): StreamPart => ({ type: 'finish', finishReason: { unified: reason, raw: reason }, usage });

/** Three sentences in nine deltas, about 2 s in all. */
const ANSWER = 'The first flight leaves at 07:10. The second leaves at 09:40. Expect light snow in Oslo.';
const ANSWER_DELTAS = ['The first ', 'flight leaves ', 'at 07:10. ', 'The second ', 'leaves at ', '09:40. ', 'Expect light ', 'snow in ', 'Oslo.'];

function textParts(deltas: string[]): StreamPart[] {
  return [
    { type: 'text-start', id: 't1' },
    ...deltas.map((delta): StreamPart => ({ type: 'text-delta', id: 't1', delta })),
    { type: 'text-end', id: 't1' },
  ];
}

function slowStream(parts: StreamPart[], chunkDelayInMs = 220): StreamResult {
  return { stream: simulateReadableStream({ chunks: [{ type: 'stream-start', warnings: [] }, ...parts], initialDelayInMs: 20, chunkDelayInMs }) };
}

/** A model that first calls getWeather (arguments streamed in pieces), then streams the answer. */
function travelModel() {
  return new MockLanguageModelV4({
    modelId: 'travel-model-1',
    doStream: [
      slowStream([
        { type: 'tool-input-start', id: 'call_w1', toolName: 'getWeather' },
        { type: 'tool-input-delta', id: 'call_w1', delta: '{"city":' },
        { type: 'tool-input-delta', id: 'call_w1', delta: '"Oslo"}' },
        { type: 'tool-input-end', id: 'call_w1' },
        { type: 'tool-call', toolCallId: 'call_w1', toolName: 'getWeather', input: '{"city":"Oslo"}' },
        finish('tool-calls'),
      ], 30),
      slowStream([...textParts(ANSWER_DELTAS), finish('stop')]),
    ],
  });
}

const ofType = (events: WireEvent[], type: string) => events.filter((event) => event.type === `aaep:agent.${type}`);

/** Runs one turn; the weather tool notes what the subscriber had heard when its body started. */
async function runTurn(agent: LiveAgent, telemetry: Telemetry, recordInputs?: boolean) {
  const heardAtToolStart: WireEvent[][] = [];
  const tools = {
    getWeather: tool({
      description: 'Get the weather forecast for a city.',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        await agent.client.waitFor((events) => ofType(events, 'tool.invoked').length > 0, 5_000).catch(() => {});
        heardAtToolStart.push([...agent.client.events]);
        return { city, sky: 'light snow', celsius: -3 };
      },
    }),
  };
  const firstSentence = agent.arrivalOf((event) => event.type === 'aaep:agent.output.streaming' && String(event.chunk).startsWith('The first flight'));
  const result = streamText({
    model: travelModel(),
    tools,
    prompt: 'When do flights to Oslo leave, and what is the weather?',
    stopWhen: stepCountIs(3),
    telemetry: { integrations: telemetry, functionId: 'Travel assistant', ...(recordInputs !== undefined && { recordInputs }) },
  });
  await result.consumeStream();
  const text = await result.text;
  await agent.aaep.forceFlush();
  await agent.client.waitFor(sessionDone());
  const chats = agent.spans().filter((span) => span.name.startsWith('chat') || span.name === 'ai.streamText.doStream');
  return { text, firstSentenceAt: await firstSentence, answerCall: chats.at(-1)!, heardAtToolStart };
}

async function liveAgent(extra?: ConstructorParameters<typeof BatchSpanProcessor>[0]) {
  const agent = await startLiveAgent(extra === undefined ? {} : { agentId: 'aaep-otel-receiver', agentName: undefined, extra: [new BatchSpanProcessor(extra, { scheduledDelayMillis: 20 })] });
  cleanups.push(() => agent.close());
  return agent;
}

describe.each([
  ['current', (tracer: LiveAgent['tracer']) => new OpenTelemetry({ tracer })],
  ['legacy', (tracer: LiveAgent['tracer']) => new LegacyOpenTelemetry({ tracer })],
] as const)('withAaepStreaming around the %s OpenTelemetry integration', (_name, integration) => {
  it('the first sentence is heard while the model call is still streaming; one complete chunk per output, the same text as without it', async () => {
    const agent = await liveAgent();
    const { text, firstSentenceAt, answerCall } = await runTurn(agent, withAaepStreaming(integration(agent.tracer)));
    const events = agent.client.events;
    expectLegalStream(events);
    expect(text).toBe(ANSWER);
    // An ordering check: the subscriber had the first sentence before the model call's span ended.
    expect(firstSentenceAt).toBeLessThan(endTimeOf(answerCall));
    const outputs = [...outputsOf(events).values()];
    expect(outputs).toEqual([{ text: ANSWER, completes: 1 }]);
    expect(ofType(events, 'output.streaming').map((event) => event.chunk)).toEqual([
      'The first flight leaves at 07:10. ',
      'The second leaves at 09:40. ',
      'Expect light snow in Oslo.',
    ]);

    // Without the decorator: the same text, announced only when the span has ended.
    const plain = await liveAgent();
    const before = await runTurn(plain, integration(plain.tracer));
    expectLegalStream(plain.client.events);
    expect(before.firstSentenceAt).toBeGreaterThanOrEqual(endTimeOf(before.answerCall));
    expect([...outputsOf(plain.client.events).values()]).toEqual(outputs);
  }, 30_000);

  it('a tool call is announced from the model call with its arguments before its body runs, and completed once', async () => {
    const agent = await liveAgent();
    const { heardAtToolStart } = await runTurn(agent, withAaepStreaming(integration(agent.tracer)));
    const events = agent.client.events;
    expectLegalStream(events);
    const invoked = ofType(events, 'tool.invoked');
    const completed = ofType(events, 'tool.completed');
    expect(invoked).toHaveLength(1);
    expect(completed).toHaveLength(1);
    expect(invoked[0]).toMatchObject({ tool: 'getWeather', args_summary: 'city: Oslo', summary_normal: "Getting the weather forecast for 'Oslo'." });
    expect(completed[0]).toMatchObject({ tool: 'getWeather', status: 'success', tool_call_id: invoked[0]!.tool_call_id });
    // Announced by the model-call span (its traceparent), before the tool span started.
    const [toolCall] = agent.spans().filter((span) => /^(execute_tool|ai\.toolCall)/.test(span.name));
    const [firstChat] = agent.spans().filter((span) => span.name.startsWith('chat') || span.name === 'ai.streamText.doStream');
    expect(String(invoked[0]!.correlation_id)).toContain(firstChat!.spanContext().spanId);
    expect(Date.parse(String(invoked[0]!.timestamp))).toBeLessThanOrEqual(startTimeOf(toolCall!));
    expect(ofType(heardAtToolStart[0]!, 'tool.invoked')).toHaveLength(1);
  }, 30_000);
});

describe('withAaepStreaming and the SDK settings', () => {
  it('recordInputs: false announces the tool call by name only', async () => {
    const agent = await liveAgent();
    await runTurn(agent, withAaepStreaming(new OpenTelemetry({ tracer: agent.tracer })), false);
    expectLegalStream(agent.client.events);
    const [invoked] = ofType(agent.client.events, 'tool.invoked');
    expect(invoked).toMatchObject({ tool: 'getWeather' });
    expect(invoked!.args_summary).toBeUndefined();
    expect(String(invoked!.summary_normal)).not.toContain('Oslo');
    expect(ofType(agent.client.events, 'tool.invoked')).toHaveLength(1);
  }, 30_000);

  it('recordOutputs: false records no text: nothing of the answer reaches the stream', async () => {
    const agent = await liveAgent();
    const heard = agent.client;
    const telemetry = withAaepStreaming(new OpenTelemetry({ tracer: agent.tracer }));
    const result = streamText({
      model: travelModel(),
      tools: { getWeather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city }) }) },
      prompt: 'When do flights to Oslo leave?',
      stopWhen: stepCountIs(3),
      telemetry: { integrations: telemetry, recordOutputs: false },
    });
    expect(await result.text).toBe(ANSWER);
    await agent.aaep.forceFlush();
    await heard.waitFor(sessionDone());
    expectLegalStream(heard.events);
    expect(ofType(heard.events, 'output.streaming')).toEqual([]);
    expect(agent.spans().flatMap((span) => span.events.map((event) => event.name))).not.toContain('aaep.output.chunk');
  }, 30_000);

  it('a tool listed in confirmFirst is not announced early: its own tool span announces it', async () => {
    const agent = await liveAgent();
    await runTurn(agent, withAaepStreaming(new OpenTelemetry({ tracer: agent.tracer }), { confirmFirst: ['getWeather'] }));
    const events = agent.client.events;
    expectLegalStream(events);
    const [invoked] = ofType(events, 'tool.invoked');
    const toolSpan = agent.spans().find((span) => span.name.startsWith('execute_tool'))!;
    expect(String(invoked!.correlation_id)).toContain(toolSpan.spanContext().spanId);
    expect(ofType(events, 'tool.invoked')).toHaveLength(1);
  }, 30_000);
});

describe('withAaepStreaming through the receiver', () => {
  it('the same spans exported over OTLP give exactly the in-process stream', async () => {
    const { remote, published } = await heardThroughReceiver(async (url) => {
      const agent = await liveAgent(new OTLPTraceExporter({ url: `${url}/v1/traces` }));
      await runTurn(agent, withAaepStreaming(new OpenTelemetry({ tracer: agent.tracer })));
      return agent;
    });
    expectLegalStream(remote);
    expect(ofType(remote, 'output.streaming')).toHaveLength(3);
    expect(remote).toEqual(published);
  }, 30_000);
});

describe('examples/vercel-ai-sdk --live', () => {
  it('runs offline and serves a legal turn: the tool call announced by the model call, the answer a sentence at a time', async () => {
    const events = await heardFromExample('examples/vercel-ai-sdk/main.ts', ['--live']);
    expectLegalStream(events);
    const [invoked] = ofType(events, 'tool.invoked');
    expect(invoked?.summary_normal).toBe('Searching for flights between two cities, from: Bergen, to: Oslo, when: tomorrow morning.');
    expect(String(invoked?.tool_call_id)).toMatch(/^call_[0-9a-f]{16}x0$/);
    // The first step's text ends with a space, as its span's final output does without --live.
    expect(ofType(events, 'output.streaming').map((event) => event.chunk)).toEqual([
      'Let me check that for you. ',
      '',
      'I found 3 morning flights from Bergen to Oslo. ',
      'The first leaves at 07:10. ',
      'Shall I book one?',
    ]);
  }, 60_000);
});
