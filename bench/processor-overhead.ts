/**
 * Cost of AaepSpanProcessor on an agent-shaped span workload: BatchSpanProcessor
 * alone vs BatchSpanProcessor + AaepSpanProcessor (with 0 and 100 SSE subscribers), measured in
 * the same run, alternating rounds so machine noise hits both. Prints the ratio.
 * Two peers get the same treatment, since "cheap" means cheaper than what users already add next
 * to their exporter: a second BatchSpanProcessor exporting OTLP to another backend, and Langfuse's
 * LangfuseSpanProcessor (its own batch processor and OTLP exporter), both to local endpoints.
 * Targets: ≤ 1.15× without subscribers, ≤ 1.5× with 100, and cheaper than either peer.
 * Run: npm run bench:processor [-- --sessions 2000 --rounds 7]
 */
import { parseArgs } from 'node:util';
import { ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { AaepSpanProcessor, AaepWorkerSpanProcessor, startAaepServer } from '../src/index.js';
import { agentTurn, spansPerAgentTurn } from './agentTurn.js';
import { report } from './report.js';

const { values } = parseArgs({
  options: { sessions: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '7' } },
});
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);

/** Accepts and drops spans, so the baseline measures the SDK and not an exporter's I/O. */
class DiscardingExporter implements SpanExporter {
  export(_spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Opens `count` SSE connections to the processor's hub from a second process, so their parsing is not timed here. */
async function subscribers(processors: SpanProcessor[], count: number): Promise<() => Promise<void>> {
  const inWorker = processors.find((p): p is AaepWorkerSpanProcessor => p instanceof AaepWorkerSpanProcessor);
  // The worker serves its own endpoints; it is listening before anything is timed.
  const workerServer = inWorker === undefined ? undefined : await inWorker.server;
  const processor = processors.find((p): p is AaepSpanProcessor => p instanceof AaepSpanProcessor);
  if (count === 0 || (processor === undefined && workerServer === undefined)) return async () => {};
  const server = workerServer !== undefined ? { url: workerServer.url, close: async () => {} } : await startAaepServer({ hub: processor!.hub, port: 0 });
  const clients = fork(new URL('./fanoutClients.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const opened = new Promise<void>((resolve) => clients.on('message', (message: { kind: string }) => message.kind === 'open' && resolve()));
  clients.send({ url: server.url, path: '/aaep/v1/events', connections: count, expect: Number.MAX_SAFE_INTEGER, latency: false });
  await opened;
  return async () => {
    clients.kill();
    await server.close();
  };
}

/** Spans and AAEP events one agent turn produces, counted once rather than assumed. */
async function perAgentTurn(): Promise<{ spans: number; events: number }> {
  const processor = aaep();
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  agentTurn(provider.getTracer('count'), 0);
  const events = processor.hub.retention.events;
  await provider.shutdown();
  return { spans: await spansPerAgentTurn(), events };
}

/**
 * One round: `wall` is from the first span to the end of forceFlush (every exporter done, every
 * AAEP event delivered: work left in a queue is counted); `busy` is the part of it the agent's
 * own thread was running (event-loop utilisation), which leaves out waiting on a worker or a socket.
 */
async function measure(processors: () => SpanProcessor[], subscriberCount = 0): Promise<{ wall: number; busy: number }> {
  const made = processors();
  const provider = new BasicTracerProvider({ spanProcessors: made });
  const tracer = provider.getTracer('bench');
  const stopSubscribers = await subscribers(made, subscriberCount);
  const loop = performance.eventLoopUtilization();
  const start = process.hrtime.bigint();
  for (let n = 0; n < SESSIONS; n++) {
    agentTurn(tracer, n);
    // Yield now and then, as a real agent awaiting I/O does, so batch export timers run.
    if (n % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  await provider.forceFlush();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const busy = performance.eventLoopUtilization(loop).active;
  await stopSubscribers();
  await provider.shutdown();
  return { wall, busy };
}

/** A local HTTP endpoint that accepts and drops OTLP exports: a tracing backend's stand-in. */
async function localBackend(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
const backend = await localBackend();
const otherBackend = await localBackend();
const langfuseBackend = await localBackend();

const QUEUE = 100_000; // every batch processor holds a whole round, so none drops spans
const discard = () => new BatchSpanProcessor(new DiscardingExporter(), { maxQueueSize: QUEUE });
const otlp = (url = backend.url) => new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }), { maxQueueSize: QUEUE });
const aaep = () => new AaepSpanProcessor({ agentId: 'bench' });
const aaepWorker = () => new AaepWorkerSpanProcessor({ agentId: 'bench', server: { port: 0 } });
/** LangfuseSpanProcessor takes no queue size; its BatchSpanProcessor reads the SDK's variable. */
const langfuse = (): SpanProcessor => {
  process.env.OTEL_BSP_MAX_QUEUE_SIZE = String(QUEUE);
  try {
    return new LangfuseSpanProcessor({ baseUrl: langfuseBackend.url, publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench', mediaUploadEnabled: false });
  } finally {
    delete process.env.OTEL_BSP_MAX_QUEUE_SIZE;
  }
};
const variants: Record<string, [() => SpanProcessor[], number]> = {
  'batch(otlp)': [() => [otlp()], 0],
  'batch(otlp) + aaep': [() => [otlp(), aaep()], 0],
  'batch(otlp) + aaep, 100 subs': [() => [otlp(), aaep()], 100],
  'batch(otlp) + aaep worker': [() => [otlp(), aaepWorker()], 0],
  'batch(otlp) + aaep worker, 100 subs': [() => [otlp(), aaepWorker()], 100],
  'batch(otlp) + batch(otlp)': [() => [otlp(), otlp(otherBackend.url)], 0],
  'batch(otlp) + langfuse': [() => [otlp(), langfuse()], 0],
  'batch(discard)': [() => [discard()], 0],
  'batch(discard) + aaep': [() => [discard(), aaep()], 0],
};

const turn = await perAgentTurn();
const results: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
const busy: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (const [make, count] of Object.values(variants)) await measure(make, count);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, [make, count]] of Object.entries(variants)) {
    const measured = await measure(make, count);
    results[name]!.push(measured.wall);
    busy[name]!.push(measured.busy);
  }
}
for (const server of [backend, otherBackend, langfuseBackend]) server.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spans = SESSIONS * turn.spans;
console.log(`processor overhead: ${SESSIONS} agent turns (${spans} spans, ${turn.events * SESSIONS} AAEP events) x ${ROUNDS} rounds, medians`);
console.log(`  ${'variant'.padEnd(36)} ${'wall'.padStart(8)}     ${'agent thread busy'.padStart(17)}`);
for (const [name, times] of Object.entries(results)) {
  const ms = median(times);
  console.log(`  ${name.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms  ${median(busy[name]!).toFixed(1).padStart(8)} ms  ${(spans / (ms / 1000)).toFixed(0).padStart(8)} spans/s`);
}
const ratio = (a: string, b: string) => Number((median(results[a]!) / median(results[b]!)).toFixed(3));
const busyRatio = (a: string, b: string) => Number((median(busy[a]!) / median(busy[b]!)).toFixed(3));
const workerBusy = busyRatio('batch(otlp) + aaep worker', 'batch(otlp)');
const workerSubsBusy = busyRatio('batch(otlp) + aaep worker, 100 subs', 'batch(otlp)');
const workerWall = ratio('batch(otlp) + aaep worker', 'batch(otlp)');
const workerSubsWall = ratio('batch(otlp) + aaep worker, 100 subs', 'batch(otlp)');
// The worker's own rate: every event of the round translated and delivered by the end of forceFlush.
const workerEventsPerSecond = Math.round((turn.events * SESSIONS) / (median(results['batch(otlp) + aaep worker']!) / 1000));
const aaepRatio = ratio('batch(otlp) + aaep', 'batch(otlp)');
const subsRatio = ratio('batch(otlp) + aaep, 100 subs', 'batch(otlp)');
const otlpPeer = ratio('batch(otlp) + batch(otlp)', 'batch(otlp)');
const langfusePeer = ratio('batch(otlp) + langfuse', 'batch(otlp)');
console.log(`  ratio vs Batch exporting OTLP/HTTP (what users run): ${aaepRatio}x  (target <= 1.15x)`);
console.log(`  ratio with 100 SSE subscribers vs Batch→OTLP alone:   ${subsRatio}x  (target <= 1.5x)`);
console.log(`  peer: a second Batch→OTLP to another backend:        ${otlpPeer}x  (aaep's ratio must be lower)`);
console.log(`  peer: LangfuseSpanProcessor:                         ${langfusePeer}x  (aaep's ratio must be lower)`);
console.log(`  ratio vs Batch with a discarding exporter (SDK floor): ${ratio('batch(discard) + aaep', 'batch(discard)')}x`);
console.log(`  worker: agent thread busy vs Batch→OTLP alone:       ${workerBusy}x  (target <= 1.15x; peers busy: ${busyRatio('batch(otlp) + batch(otlp)', 'batch(otlp)')}x / ${busyRatio('batch(otlp) + langfuse', 'batch(otlp)')}x)`);
console.log(`  worker, 100 subscribers: agent thread busy:          ${workerSubsBusy}x  (target <= 1.5x)`);
console.log(`  worker: wall clock to the end of forceFlush:         ${workerWall}x / ${workerSubsWall}x with 100 subscribers (above the busy figure: the worker was still translating when the round ended, and forceFlush waited for it)`);
console.log(`  worker: events translated and delivered per second:  ${workerEventsPerSecond}`);
report([
  { metric: 'processor overhead vs Batch→OTLP, no subscribers', value: aaepRatio, unit: 'x', target: '<= 1.15', met: aaepRatio <= 1.15 },
  { metric: 'processor overhead with 100 SSE subscribers', value: subsRatio, unit: 'x', target: '<= 1.5', met: subsRatio <= 1.5 },
  { metric: 'peer: second Batch→OTLP vs Batch→OTLP', value: otlpPeer, unit: 'x', target: `> ${aaepRatio} (aaep)`, met: aaepRatio < otlpPeer },
  { metric: 'peer: LangfuseSpanProcessor vs Batch→OTLP', value: langfusePeer, unit: 'x', target: `> ${aaepRatio} (aaep)`, met: aaepRatio < langfusePeer },
  { metric: 'worker: agent thread busy vs Batch→OTLP, no subscribers', value: workerBusy, unit: 'x', target: '<= 1.15', met: workerBusy <= 1.15 },
  { metric: 'worker: agent thread busy, 100 SSE subscribers', value: workerSubsBusy, unit: 'x', target: '<= 1.5', met: workerSubsBusy <= 1.5 },
  { metric: 'worker: wall clock to forceFlush vs Batch→OTLP, no subscribers', value: workerWall, unit: 'x', target: '(keeps up when near the busy figure)', met: undefined },
  { metric: 'worker: wall clock to forceFlush, 100 SSE subscribers', value: workerSubsWall, unit: 'x', target: '(keeps up when near the busy figure)', met: undefined },
  { metric: 'worker: events per second translated and delivered', value: workerEventsPerSecond, unit: 'events/s', target: '(reported)', met: undefined },
  { metric: 'processor overhead vs Batch→discard (SDK floor)', value: ratio('batch(discard) + aaep', 'batch(discard)'), unit: 'x', target: '(floor)', met: undefined },
]);
