/**
 * Per-chunk cost of hearing a model live (aaep-otel/ai-sdk): a streamed answer of
 * 500 text deltas through the AI SDK's streamText, traced by `@ai-sdk/otel` into
 * AaepSpanProcessor, with and without withAaepStreaming, alternating rounds. Prints
 * the SDK's own stream handling per delta and what the tap adds per delta on the
 * agent's thread, and the tap alone (LiveModelOutput on a real span, translator
 * included).   Run: npx tsx bench/live-stream.ts [-- --rounds 9]
 */
import { parseArgs } from 'node:util';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetry } from '@ai-sdk/otel';
import { streamText, type Telemetry } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { AaepSpanProcessor } from '../src/index.js';
import { withAaepStreaming } from '../src/integrations/ai-sdk/index.js';
import { LiveModelOutput } from '../src/integrations/LiveModelOutput.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, turns: { type: 'string', default: '20' } } });
const ROUNDS = Number(values.rounds);
const TURNS = Number(values.turns);
const DELTAS = 500;

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const aaep = new AaepSpanProcessor({ agentId: 'bench-live' });
const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
const tracer = provider.getTracer('bench-live');

/** Words of a long answer, sentences every ten words: 500 deltas. */
const WORDS = Array.from({ length: DELTAS }, (_, i) => (i % 10 === 9 ? `word${i}. ` : `word${i} `));
type StreamPart = Awaited<ReturnType<MockLanguageModelV4['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;
const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: DELTAS, text: DELTAS, reasoning: undefined } };

function model(): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doStream: async () => {
      const parts: StreamPart[] = [
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't' },
        ...WORDS.map((delta): StreamPart => ({ type: 'text-delta', id: 't', delta })),
        { type: 'text-end', id: 't' },
        { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
      ];
      return { stream: new ReadableStream<StreamPart>({ start(controller) { for (const part of parts) controller.enqueue(part); controller.close(); } }) };
    },
  });
}

async function turns(integration: Telemetry): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < TURNS; i++) {
    const result = streamText({ model: model(), prompt: 'Tell me a long story', telemetry: { integrations: integration } });
    await result.consumeStream();
    await result.text;
  }
  return (performance.now() - start) / (TURNS * DELTAS);
}

function tapAlone(): number {
  const start = performance.now();
  for (let i = 0; i < TURNS; i++) {
    const session = tracer.startSpan('invoke_agent bench', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    const chat = tracer.startSpan('chat bench', { attributes: { 'gen_ai.operation.name': 'chat' } }, trace.setSpan(context.active(), session));
    const live = new LiveModelOutput(chat, { recordText: true, recordArguments: true });
    for (const word of WORDS) live.text(word);
    live.end();
    chat.end();
    session.end();
  }
  return (performance.now() - start) / (TURNS * DELTAS);
}

const plain = new OpenTelemetry({ tracer });
const live = withAaepStreaming(new OpenTelemetry({ tracer }));
await turns(plain);
await turns(live);
const baseline: number[] = [];
const tapped: number[] = [];
const alone: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  baseline.push(await turns(plain));
  tapped.push(await turns(live));
  alone.push(tapAlone());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const micros = (ms: number) => Math.round(ms * 1000 * 100) / 100;
const sdk = median(baseline);
const added = median(tapped) - sdk;
console.log(`AI SDK streamText, traced, per delta: ${micros(sdk)} µs; with withAaepStreaming: ${micros(median(tapped))} µs; tap alone: ${micros(median(alone))} µs`);
report([
  { metric: 'ai-sdk: SDK stream handling per delta (traced)', value: micros(sdk), unit: 'µs', target: 'reference', met: undefined },
  { metric: 'ai-sdk: withAaepStreaming added per delta', value: micros(Math.max(0, added)), unit: 'µs', target: '≤ SDK per delta', met: added <= sdk },
  { metric: 'live output tap alone per delta (span + translator)', value: micros(median(alone)), unit: 'µs', target: 'reference', met: undefined },
]);
await provider.shutdown();
