/**
 * The hub on Redis Streams, against the in-memory hub, in one run:
 *  - ingest: spans/s acknowledged by two receiver processes sharing a real Redis,
 *    against one receiver process alone (in-memory hub), same OTLP batches, same
 *    concurrency; each batch holds whole traces and goes to one receiver, as
 *    trace-id routing sends them;
 *  - delivery latency: publish to a subscriber's write, p50/p99, for the memory
 *    hub and for Redis (published on one instance, heard on another).
 * Run: npm run bench:shared-hub [-- --batches 60 --events 2000]
 */
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { EventHub } from '../src/hub/EventHub.js';
import type { HubBackend } from '../src/hub/HubBackend.js';
import { MemoryHubBackend } from '../src/hub/MemoryHubBackend.js';
import { RedisHubBackend } from '../src/hub/RedisHubBackend.js';
import { Translator } from '../src/translate/index.js';
import { startReceiverProcess, type ReceiverProcess } from '../tests/helpers/receiverProcess.js';
import { startRedisServer } from '../tests/helpers/redisServer.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '60' }, events: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' } } });
const BATCHES = Number(values.batches);
const EVENTS = Number(values.events);
const CONCURRENCY = Number(values.concurrency);
const TURNS_PER_BATCH = 85;

/** One agent turn: session, model call, two tools, a streamed answer (6 spans). */
function agentTurn(tracer: ReturnType<BasicTracerProvider['getTracer']>): void {
  const session = tracer.startSpan('invoke_agent travel', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent' } }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, session);
  tracer.startSpan('chat gpt', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-x' } }, ctx).end();
  for (const tool of ['get_weather', 'search_flights']) {
    const span = tracer.startSpan(`execute_tool ${tool}`, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.arguments': '{"city":"Oslo"}' } }, ctx);
    span.setAttribute('gen_ai.tool.call.result', '{"temperature":-3}');
    span.end();
  }
  const answer = tracer.startSpan('chat gpt', { attributes: { 'gen_ai.operation.name': 'chat' } }, ctx);
  for (const text of ['The weather in Oslo is cold. ', 'Flights start at 1200 NOK. ', 'Want me to book one?']) answer.addEvent('aaep.output.chunk', { 'aaep.output.text': text });
  answer.end();
  session.end();
}

/** Fresh batches for every round (new trace ids), so no receiver short-cuts a repeat. */
function makeBatches(count: number): Buffer[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('bench');
  const batches: Buffer[] = [];
  for (let b = 0; b < count; b++) {
    memory.reset();
    for (let turn = 0; turn < TURNS_PER_BATCH; turn++) agentTurn(tracer);
    batches.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())!));
  }
  return batches;
}
const SPANS_PER_BATCH = TURNS_PER_BATCH * 6;

/** Posts every batch (batch i to receiver i mod n), `CONCURRENCY` at a time; spans/s acknowledged. */
async function ingest(receivers: ReceiverProcess[], batches: Buffer[]): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (next < batches.length) {
      const index = next++;
      for (;;) {
        // Like an exporter: a dropped connection or a retryable status is retried.
        const response = await fetch(`${receivers[index % receivers.length]!.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: batches[index] }).catch(() => undefined);
        await response?.arrayBuffer();
        if (response?.status === 200) break;
        if (response === undefined) continue;
        if (response.status !== 429 && response.status !== 503) throw new Error(`export answered ${response.status}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker)).catch((error: unknown) => {
    throw new Error(`ingest failed: ${String(error)}\n${receivers.map((r) => r.output().slice(-2000)).join('\n')}`);
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return (batches.length * SPANS_PER_BATCH) / seconds;
}

/** Publish-to-write latency, in ms, of `EVENTS` events paced at one per ms. */
async function deliveryLatency(publishTo: HubBackend, hearOn: EventHub): Promise<number[]> {
  const sentAt = new Map<string, bigint>();
  const latencies: number[] = [];
  hearOn.subscribe({
    write(frames) {
      const now = process.hrtime.bigint();
      for (const match of frames.toString('utf8').matchAll(/^id: (.+)$/gm)) {
        const sent = sentAt.get(match[1]!);
        if (sent !== undefined) latencies.push(Number(now - sent) / 1e6);
      }
      return true;
    },
    close() {},
  });
  const translator = new Translator({
    producer: { agent_id: 'bench' },
    emit: (event) => {
      sentAt.set(event.event_id, process.hrtime.bigint());
      publishTo.publish(event);
    },
  });
  const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const root = { kind: 'started' as const, traceId, spanId: '00000000000000a1', parentSpanId: undefined, traceFlags: 1, name: 'session', startTime: Date.now(), attributes: { 'aaep.span.kind': 'session' } };
  const llm = { ...root, spanId: '00000000000000a2', parentSpanId: root.spanId, name: 'llm', attributes: { 'aaep.span.kind': 'llm' } };
  translator.handle(root);
  translator.handle(llm);
  for (let i = 0; i < EVENTS; i++) {
    translator.handle({ kind: 'event', traceId, spanId: llm.spanId, name: 'aaep.output.chunk', time: Date.now(), attributes: { 'aaep.output.text': `Sentence number ${i} of the answer. ` } });
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < EVENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return latencies.sort((a, b) => a - b);
}
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const redis = await startRedisServer();
try {
  // Ingest: one receiver alone, then two sharing Redis; a warm-up round each.
  const alone = [await startReceiverProcess(['--quiet-ms', '300'])];
  await ingest(alone, makeBatches(10));
  const aloneRate = await ingest(alone, makeBatches(BATCHES));
  await Promise.all(alone.map((r) => r.kill('SIGKILL')));
  const pair = await Promise.all([0, 1].map(() => startReceiverProcess(['--quiet-ms', '300', '--hub-url', redis.url])));
  await ingest(pair, makeBatches(10));
  const pairRate = await ingest(pair, makeBatches(BATCHES));
  await Promise.all(pair.map((r) => r.kill('SIGKILL')));

  // Delivery latency, memory hub vs Redis (another instance's subscriber).
  const memoryHub = new EventHub();
  const memoryLatency = await deliveryLatency(new MemoryHubBackend(memoryHub), memoryHub);
  memoryHub.close();
  const [hubA, hubB] = [new EventHub(), new EventHub()];
  const [a, b] = [new RedisHubBackend(hubA, { url: redis.url, keyPrefix: 'bench' }), new RedisHubBackend(hubB, { url: redis.url, keyPrefix: 'bench' })];
  await Promise.all([a.ready(), b.ready()]);
  const redisLatency = await deliveryLatency(a, hubB);
  await Promise.all([a.close(), b.close()]);
  hubA.close();
  hubB.close();

  const ratio = pairRate / aloneRate;
  console.log(`shared hub: ${BATCHES} batches x ${SPANS_PER_BATCH} spans over OTLP/HTTP, ${CONCURRENCY} in flight; ${EVENTS} events paced 1/ms`);
  console.log(`  one receiver, memory hub        ${aloneRate.toFixed(0).padStart(8)} spans/s`);
  console.log(`  two receivers sharing Redis     ${pairRate.toFixed(0).padStart(8)} spans/s  (${ratio.toFixed(2)}x)`);
  console.log(`  delivery, memory hub            p50 ${percentile(memoryLatency, 50).toFixed(2)} ms  p99 ${percentile(memoryLatency, 99).toFixed(2)} ms  (${memoryLatency.length} events)`);
  console.log(`  delivery, Redis (other instance) p50 ${percentile(redisLatency, 50).toFixed(2)} ms  p99 ${percentile(redisLatency, 99).toFixed(2)} ms  (${redisLatency.length} events)`);
  report([
    { metric: 'ingest, 2 receivers on Redis vs 1 alone', value: Number(ratio.toFixed(2)), unit: 'x', target: '', met: undefined },
    { metric: 'ingest, 1 receiver, memory hub', value: Math.round(aloneRate), unit: 'spans/s', target: '', met: undefined },
    { metric: 'ingest, 2 receivers sharing Redis', value: Math.round(pairRate), unit: 'spans/s', target: '', met: undefined },
    { metric: 'delivery p50, memory hub', value: Number(percentile(memoryLatency, 50).toFixed(2)), unit: 'ms', target: '', met: undefined },
    { metric: 'delivery p99, memory hub', value: Number(percentile(memoryLatency, 99).toFixed(2)), unit: 'ms', target: '', met: undefined },
    { metric: 'delivery p50, Redis hub', value: Number(percentile(redisLatency, 50).toFixed(2)), unit: 'ms', target: '', met: undefined },
    { metric: 'delivery p99, Redis hub', value: Number(percentile(redisLatency, 99).toFixed(2)), unit: 'ms', target: '', met: undefined },
  ]);
} finally {
  await redis.stop();
}
