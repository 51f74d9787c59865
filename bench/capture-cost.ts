/**
 * Where the agent thread's cost goes with AaepWorkerSpanProcessor: the processor bench's agent
 * turns with no exporter, so nothing but the SDK and what is added to it is timed. Rows, each
 * the agent thread's busy time (event-loop utilisation) per span, alternating rounds:
 *   - the SDK alone;
 *   - the SDK and the capture: the worker processor's own parts (session membership, the record
 *     encoder, the addEvent observer) copying every record, with no ring and no worker;
 *   - the SDK alone while another thread translates the same turns (an in-thread processor in a
 *     worker, fed records): what a busy translator elsewhere costs the agent's thread;
 *   - the SDK and AaepWorkerSpanProcessor: the capture, the ring and the worker translating.
 * Run: npm run bench:capture [-- --sessions 2000 --rounds 9]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { BasicTracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AaepWorkerSpanProcessor } from '../src/index.js';
import { observeSpanEvents } from '../src/sources/observeSpanEvents.js';
import { hrMillis, RecordEncoder } from '../src/sources/worker/RecordEncoder.js';
import { SpanMembership } from '../src/sources/worker/SpanMembership.js';
import { loadWorker } from '../src/sources/worker/workerThreads.js';
import { agentTurn, spansPerAgentTurn } from './agentTurn.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '9' } } });
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);
const SPANS_PER_TURN = await spansPerAgentTurn();

/** The worker processor's capture without its ring: records are encoded and the batch let go. */
class CaptureOnly implements SpanProcessor {
  private readonly membership = new SpanMembership(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  private readonly encoder = new RecordEncoder();
  private readonly observed = new WeakSet<Span>();
  onStart(span: Span): void {
    const { traceId, spanId, traceFlags } = span.spanContext();
    const parentSpanId = span.parentSpanContext?.spanId;
    const handle = this.membership.join(traceId, spanId, parentSpanId, span.attributes, span);
    if (handle === 0) return;
    this.taken(this.encoder.started(handle, traceId, spanId, parentSpanId, undefined, traceFlags, span.name, hrMillis(span.startTime), span.attributes));
    if (observeSpanEvents(span, (event) => this.taken(this.encoder.event(handle, traceId, spanId, event)))) this.observed.add(span);
  }
  onEnd(span: ReadableSpan): void {
    const { traceId, spanId } = span.spanContext();
    const handle = this.membership.leave(traceId, spanId);
    if (handle !== 0) this.taken(this.encoder.ended(handle, span, this.observed.has(span as Span) ? [] : span.events));
  }
  private taken(_size: number): void {
    if (this.encoder.size >= 8 * 1024) this.encoder.take();
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function translatingThread(): Promise<Worker> {
  const worker = loadWorker(import.meta.url, 'translateLoop', undefined);
  await new Promise((resolve) => worker.once('message', resolve));
  return worker;
}

async function measure(processors: () => SpanProcessor[], beside?: () => Promise<Worker>): Promise<number> {
  const made = processors();
  const provider = new BasicTracerProvider({ spanProcessors: made });
  for (const processor of made) if (processor instanceof AaepWorkerSpanProcessor) await processor.server;
  const other = await beside?.();
  const tracer = provider.getTracer('bench');
  const loop = performance.eventLoopUtilization();
  for (let n = 0; n < SESSIONS; n++) {
    agentTurn(tracer, n);
    if (n % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  const busy = performance.eventLoopUtilization(loop).active;
  await provider.forceFlush();
  await provider.shutdown();
  if (other !== undefined) {
    other.postMessage('stop');
    await new Promise((resolve) => other.once('exit', resolve));
  }
  return busy;
}

const variants: Record<string, [() => SpanProcessor[], (() => Promise<Worker>)?]> = {
  'SDK alone': [() => []],
  'SDK + capture (no ring, no worker)': [() => [new CaptureOnly()]],
  'SDK alone, a translator busy beside it': [() => [], translatingThread],
  'SDK + AaepWorkerSpanProcessor': [() => [new AaepWorkerSpanProcessor({ agentId: 'bench', server: { port: 0 } })]],
};
const busy: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (const [make, beside] of Object.values(variants)) await measure(make, beside);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, [make, beside]] of Object.entries(variants)) busy[name]!.push(await measure(make, beside));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perSpan = (name: string) => Number(((median(busy[name]!) * 1000) / (SESSIONS * SPANS_PER_TURN)).toFixed(2));
const sdk = perSpan('SDK alone');
console.log(`capture cost: ${SESSIONS} agent turns (${SESSIONS * SPANS_PER_TURN} spans) x ${ROUNDS} rounds, agent thread busy per span, medians`);
for (const name of Object.keys(variants)) {
  console.log(`  ${name.padEnd(42)} ${perSpan(name).toFixed(2).padStart(6)} µs  (+${(perSpan(name) - sdk).toFixed(2)} µs over the SDK alone)`);
}
const added = (name: string) => Number((perSpan(name) - sdk).toFixed(2));
report([
  { metric: 'capture: what copying records adds per span, no worker', value: added('SDK + capture (no ring, no worker)'), unit: 'µs', target: '(reported)', met: undefined },
  { metric: 'capture: what a busy translator on another thread adds per span', value: added('SDK alone, a translator busy beside it'), unit: 'µs', target: '(reported)', met: undefined },
  { metric: 'capture: what AaepWorkerSpanProcessor adds per span', value: added('SDK + AaepWorkerSpanProcessor'), unit: 'µs', target: '(reported)', met: undefined },
]);
