/**
 * A Vercel AI SDK agent made accessible with no AAEP code in it: the SDK's own
 * OpenTelemetry integration (`registerTelemetry(new OpenTelemetry({ tracer }))`
 * from `@ai-sdk/otel`) traces it, and AaepSpanProcessor turns those spans into an
 * AAEP stream served over SSE. Offline: the model is the SDK's MockLanguageModelV4
 * with a small script (pick a tool, then answer from its result).
 *
 * With --live, `withAaepStreaming` (aaep-otel/ai-sdk) decorates the integration: the
 * answer is heard a sentence at a time while the model streams, and each tool call
 * as soon as the model has made it.
 *
 *   npx tsx examples/vercel-ai-sdk/main.ts [--port N] [--interval MS] [--legacy] [--live] [--once]
 *
 *   --port N        AAEP server port (default AAEP_PORT or 4319; 0 picks a free one)
 *   --interval MS   time between turns (default 5000)
 *   --legacy        trace with LegacyOpenTelemetry (the `ai.*` spans of AI SDK 3–6)
 *   --live          decorate it with withAaepStreaming: heard while the model streams
 *   --once          wait for a first subscriber (up to 10 s), run one turn, exit
 */
import { parseArgs } from 'node:util';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { registerTelemetry, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV4, simulateReadableStream } from 'ai/test';
import { z } from 'zod';
import { AaepSpanProcessor } from '../../src/index.js';
import { withAaepStreaming } from '../../src/integrations/ai-sdk/index.js';
import { runTurns, serveExample, sleep, stopOnSignals } from '../runExample.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    interval: { type: 'string', default: '5000' },
    legacy: { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
  },
});

// 1. OpenTelemetry as usual, with AaepSpanProcessor next to your other processors.
const aaep = new AaepSpanProcessor({ agentId: 'vercel-travel-agent', agentName: 'Travel assistant' });
const sdk = new NodeSDK({ serviceName: 'vercel-travel-agent', spanProcessors: [aaep], instrumentations: [] });
sdk.start();

// 2. The AI SDK's own OpenTelemetry integration. That is all the tracing the agent has.
const tracer = trace.getTracer('vercel-travel-agent');
const integration = values.legacy ? new LegacyOpenTelemetry({ tracer }) : new OpenTelemetry({ tracer });
// With --live, one more wrapper: the model's text and tool calls are heard as they stream.
registerTelemetry(values.live ? withAaepStreaming(integration) : integration);

// 3. An ordinary AI SDK agent: tools and a (scripted, offline) model.
const tools = {
  searchFlights: tool({
    description: 'Search for flights between two cities.',
    inputSchema: z.object({ from: z.string(), to: z.string(), when: z.string() }),
    execute: async ({ from, to }) => {
      await sleep(400);
      return { from, to, flights: ['07:10', '09:40', '11:05'] };
    },
  }),
  getWeather: tool({
    description: 'Get the weather forecast for a city.',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      await sleep(300);
      return { city, sky: 'light snow', celsius: -3 };
    },
  }),
  searchWeb: tool({
    description: 'Search the web for up-to-date information.',
    inputSchema: z.object({ query: z.string() }),
    execute: async ({ query }) => {
      await sleep(500);
      return { query, results: ['The National Museum is open Tuesday to Sunday.', 'The Munch museum is open every day.'] };
    },
  }),
};

type StreamPart = Awaited<ReturnType<MockLanguageModelV4['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;
type Prompt = Parameters<MockLanguageModelV4['doStream']>[0]['prompt'];
const usage = {
  inputTokens: { total: 40, noCache: 40, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 30, text: 30, reasoning: undefined },
};

/** First call: choose a tool from the request. Second call (a tool result is in the prompt): answer from it. */
function scriptedModel(): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    provider: 'scripted',
    modelId: 'scripted-travel-1',
    doStream: async ({ prompt }) => {
      const toolResult = lastToolResult(prompt);
      const parts: StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      if (toolResult === undefined) {
        const call = chooseTool(lastUserText(prompt));
        parts.push(...text('Let me check that for you. '));
        parts.push({ type: 'tool-call', toolCallId: `call_${Date.now()}`, toolName: call.name, input: JSON.stringify(call.input) });
        parts.push({ type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage });
      } else {
        parts.push(...text(answerFrom(toolResult.name, toolResult.value)));
        parts.push({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage });
      }
      return { stream: simulateReadableStream({ chunks: parts, initialDelayInMs: 300, chunkDelayInMs: 60 }) };
    },
  });
}

function text(sentence: string): StreamPart[] {
  const words = sentence.match(/\S+\s*/g) ?? [];
  return [
    { type: 'text-start', id: 'answer' },
    ...words.map((delta): StreamPart => ({ type: 'text-delta', id: 'answer', delta })),
    { type: 'text-end', id: 'answer' },
  ];
}

function lastUserText(prompt: Prompt): string {
  for (const message of [...prompt].reverse()) {
    if (message.role !== 'user') continue;
    return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  }
  return '';
}

function lastToolResult(prompt: Prompt): { name: string; value: unknown } | undefined {
  const last = prompt[prompt.length - 1];
  if (last?.role !== 'tool') return undefined;
  for (const part of last.content) {
    if (part.type === 'tool-result') return { name: part.toolName, value: part.output.type === 'json' ? part.output.value : undefined };
  }
  return undefined;
}

function chooseTool(request: string): { name: keyof typeof tools; input: Record<string, string> } {
  if (/flight/i.test(request)) return { name: 'searchFlights', input: { from: 'Bergen', to: 'Oslo', when: 'tomorrow morning' } };
  if (/weather/i.test(request)) return { name: 'getWeather', input: { city: 'Oslo' } };
  return { name: 'searchWeb', input: { query: request.replace(/^search the web for /i, '') } };
}

function answerFrom(name: string, value: unknown): string {
  const result = (value ?? {}) as Record<string, unknown>;
  if (name === 'searchFlights') {
    const flights = (result.flights as string[] | undefined) ?? [];
    return `I found ${flights.length} morning flights from Bergen to Oslo. The first leaves at ${flights[0] ?? 'seven'}. Shall I book one?`;
  }
  if (name === 'getWeather') return `Tomorrow brings ${String(result.sky)} in Oslo, around ${String(result.celsius)} degrees. Dress warmly.`;
  const results = (result.results as string[] | undefined) ?? [];
  return `Here is what I found. ${results.join(' ')}`;
}

const REQUESTS = [
  'Find flights from Bergen to Oslo tomorrow morning',
  "What's the weather in Oslo tomorrow?",
  'Search the web for museums open on Mondays in Oslo',
];

async function turn(request: string): Promise<void> {
  const result = streamText({ model: scriptedModel(), tools, prompt: request, stopWhen: stepCountIs(4) });
  await result.consumeStream();
  await result.text;
}

// 4. Serve the AAEP stream.
const server = await serveExample({
  hub: aaep.hub,
  port: values.port,
  title: `Vercel AI SDK agent (${values.legacy ? 'LegacyOpenTelemetry, ai.* spans' : 'OpenTelemetry, GenAI spans'}${values.live ? ', heard live' : ''}), offline mock model.`,
  once: values.once === true,
  stop: () => sdk.shutdown(),
});

await runTurns({
  hub: aaep.hub,
  stopper: stopOnSignals(sdk, server),
  once: values.once === true,
  intervalMs: Number(values.interval),
  inputs: REQUESTS,
  turn,
});
