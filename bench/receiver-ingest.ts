/**
 * Receiver ingest: spans/s for protobuf decode alone vs decode + records +
 * assembly + translation + publishing, on the same 512-span OTLP batches of
 * GenAI agent spans, in one run: in the receiver's thread, and with 1 … one
 * per core translation workers (all exports in flight at once, as concurrent
 * exporters send them). Target: end to end ≥ 0.5× decode alone.
 * Run: npm run bench:receiver [-- --batches 40 --rounds 5]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { EventHub } from '../src/hub/EventHub.js';
import { decodeTraceRequest } from '../src/sources/otlp/otlpProtobuf.js';
import { recordsFromOtlp } from '../src/sources/otlp/recordsFromOtlp.js';
import { TraceAssembler } from '../src/sources/otlp/TraceAssembler.js';
import { TranslationWorkers } from '../src/sources/otlp/workers/TranslationWorkers.js';
import { Translator } from '../src/translate/index.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '40' }, rounds: { type: 'string', default: '5' } } });
const WORKER_COUNTS = [...new Set([1, availableParallelism()])];
const BATCHES = Number(values.batches);
const ROUNDS = Number(values.rounds);
const SPANS_PER_BATCH = 512;
/** What `agentTurn` makes: the session, two model calls and two tools. */
const SPANS_PER_TURN = 5;

/** One agent turn as GenAI-convention spans: session, two model calls, two tools, a streamed answer. */
function agentTurn(tracer: ReturnType<BasicTracerProvider['getTracer']>, n: number): void {
  const session = tracer.startSpan('invoke_agent travel', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent', 'gen_ai.conversation.id': `conv_${n}` } }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, session);
  const plan = tracer.startSpan('chat gpt', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-x', 'gen_ai.usage.input_tokens': 812 } }, ctx);
  plan.end();
  for (const tool of ['get_weather', 'search_flights']) {
    const span = tracer.startSpan(`execute_tool ${tool}`, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.id': `call_${n}`, 'gen_ai.tool.call.arguments': '{"city":"Oslo","date":"2026-12-01"}' } }, ctx);
    span.setAttribute('gen_ai.tool.call.result', '{"temperature":-3,"flights":4}');
    span.end();
  }
  const answer = tracer.startSpan('chat gpt', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-x' } }, ctx);
  for (const text of ['The weather in Oslo is cold. ', 'Flights start at 1200 NOK. ', 'Want me to book one?']) answer.addEvent('aaep.output.chunk', { 'aaep.output.text': text });
  answer.end();
  session.end();
}

// Distinct traces in every batch, so the receiver's duplicate detection never short-cuts the work.
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
const tracer = provider.getTracer('bench');
function makeBatches(): { batches: Uint8Array[]; spans: number } {
  const made: Uint8Array[] = [];
  let spans = 0;
  for (let b = 0; b < BATCHES; b++) {
    memory.reset();
    for (let turn = 0; turn < Math.floor(SPANS_PER_BATCH / SPANS_PER_TURN); turn++) agentTurn(tracer, b * 1000 + turn);
    const finished = memory.getFinishedSpans();
    spans += finished.length;
    made.push(ProtobufTraceSerializer.serializeRequest(finished)!);
  }
  return { batches: made, spans };
}
const { batches, spans: spanCount } = makeBatches();
/**
 * Other traces, which a new pool of workers translates before the clock starts, so its code is
 * as warm as this thread's: three rounds' worth (a new worker measured at 2.2×, then 1.3×, then
 * 1× the time per export).
 */
const warmUp = [makeBatches(), makeBatches(), makeBatches()].flatMap((made) => made.batches);

function decodeOnly(): number {
  const start = process.hrtime.bigint();
  let sink = 0;
  for (const batch of batches) sink += decodeTraceRequest(batch).resourceSpans?.length ?? 0;
  if (sink < 0) throw new Error('unreachable');
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function endToEnd(): { ms: number; events: number } {
  let events = 0;
  let hub: EventHub | undefined;
  const translator = new Translator({ producer: { agent_id: 'bench' }, emit: (event) => (events++, hub!.publish(event)) });
  hub = new EventHub({ catchUp: (sessionId, maxSessions) => translator.catchUp(sessionId, maxSessions) });
  const assembler = new TraceAssembler(translator);
  const start = process.hrtime.bigint();
  for (const batch of batches) assembler.ingest(recordsFromOtlp(decodeTraceRequest(batch)));
  assembler.flushAll();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assembler.close();
  hub.close();
  return { ms, events };
}

/**
 * The same, with the translation in `workers` threads: the pool is started and warmed up (other
 * traces) before the clock, and stopped (held spans placed) within it.
 */
async function endToEndInWorkers(workers: number): Promise<{ ms: number; events: number; busy: number }> {
  let events = 0;
  let hub: EventHub | undefined;
  const ignore = () => {};
  const pool = new TranslationWorkers({
    workers,
    producer: { agent_id: 'bench' },
    maxSessions: 10_000,
    maxSpansPerSession: 1_000,
    quietMs: 5_000,
    maxHeldSpansPerTrace: 10_000,
    maxHeldSpans: 200_000,
    publish: (event, owner) => (events++, hub!.publishPrepared(event, owner)),
    onReplyRequested: ignore,
    onSessionClosed: ignore,
    onViolation: ignore,
    onLimit: ignore,
  });
  hub = new EventHub({ catchUp: (sessionId, maxSessions, hears) => pool.catchUp(sessionId, maxSessions, hears) });
  await pool.ready();
  for (let from = 0; from < warmUp.length; from += BATCHES) await Promise.all(warmUp.slice(from, from + BATCHES).map((batch) => pool.ingestProtobuf(batch)));
  events = 0;
  const loop = performance.eventLoopUtilization();
  const start = process.hrtime.bigint();
  // As the receiver takes a protobuf export: split by trace id undecoded, each part decoded in its worker.
  await Promise.all(batches.map((batch) => pool.ingestProtobuf(batch)));
  await pool.close();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // How much of that time the receiver's own thread (splitting exports, publishing, serving listeners) was busy.
  const busy = performance.eventLoopUtilization(loop).utilization;
  hub.close();
  return { ms, events, busy };
}

decodeOnly();
endToEnd();
await endToEndInWorkers(1);
const decodeTimes: number[] = [];
const fullTimes: number[] = [];
const workerTimes = new Map<number, number[]>(WORKER_COUNTS.map((count) => [count, []]));
const workerBusy = new Map<number, number[]>(WORKER_COUNTS.map((count) => [count, []]));
let events = 0;
for (let round = 0; round < ROUNDS; round++) {
  decodeTimes.push(decodeOnly());
  const full = endToEnd();
  fullTimes.push(full.ms);
  events = full.events;
  for (const count of WORKER_COUNTS) {
    const inWorkers = await endToEndInWorkers(count);
    if (inWorkers.events !== events) throw new Error(`${count} worker(s) published ${inWorkers.events} events, the receiver's thread ${events}`);
    workerTimes.get(count)!.push(inWorkers.ms);
    workerBusy.get(count)!.push(inWorkers.busy);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const decodeRate = spanCount / (median(decodeTimes) / 1000);
const fullRate = spanCount / (median(fullTimes) / 1000);
const workerRates = WORKER_COUNTS.map((count) => ({ count, rate: spanCount / (median(workerTimes.get(count)!) / 1000), busy: median(workerBusy.get(count)!) }));
const best = workerRates[workerRates.length - 1]!;
const row = (label: string, rate: number, busy = 1) =>
  console.log(`  ${label.padEnd(40)} ${rate.toFixed(0).padStart(9)} spans/s  ${(rate / decodeRate).toFixed(3)}x decode alone  receiver's thread ${(busy * 100).toFixed(0)}% busy`);
console.log(`receiver ingest: ${BATCHES} batches x ${spanCount / BATCHES} spans (${(batches.reduce((n, b) => n + b.length, 0) / BATCHES / 1024).toFixed(0)} KiB each), ${events} AAEP events, ${ROUNDS} rounds, medians, ${availableParallelism()} cores`);
row('protobuf decode alone', decodeRate);
row("decode + translate + publish, one thread", fullRate);
for (const { count, rate, busy } of workerRates) row(`the same, ${count} translation worker(s)`, rate, busy);
console.log(`  target: end to end >= 0.5x decode alone`);
await provider.shutdown();
report([
  { metric: "receiver decode+translate vs decode alone (receiver's thread)", value: Number((fullRate / decodeRate).toFixed(3)), unit: 'x', target: '>= 0.5', met: fullRate / decodeRate >= 0.5 },
  { metric: `receiver decode+translate vs decode alone (${best.count} workers)`, value: Number((best.rate / decodeRate).toFixed(3)), unit: 'x', target: '>= 0.5', met: best.rate / decodeRate >= 0.5 },
  { metric: `receiver end to end, ${best.count} workers vs receiver's thread`, value: Number((best.rate / fullRate).toFixed(2)), unit: 'x', target: '', met: undefined },
  { metric: `receiver's thread busy while ${best.count} workers translate`, value: Math.round(best.busy * 100), unit: '%', target: '', met: undefined },
  { metric: 'receiver end to end', value: Math.round(fullRate), unit: 'spans/s', target: '', met: undefined },
]);
