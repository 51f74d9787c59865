/**
 * Translator throughput: the events per second one worker of AaepWorkerSpanProcessor
 * translates and frames into its hub, next to the in-thread AaepSpanProcessor doing the same
 * in the same run. The input is the agent turn of bench/processor-overhead.ts as span records
 * (built before timing) handed to `acceptRecord` as fast as the agent's thread can; the clock
 * stops when `forceFlush` says every event is in the hub. No SDK spans and no exporter, so the
 * figure is the translator's own rate. Also printed: how long the agent's thread was busy.
 * Run: npm run bench:worker [-- --sessions 2000 --rounds 5]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AaepSpanProcessor, AaepWorkerSpanProcessor } from '../src/index.js';
import { agentTurnRecords } from './agentTurnRecords.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } } });
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);
const turns = Array.from({ length: SESSIONS }, (_, n) => agentTurnRecords(n));

/** Both hubs keep every event of a round, so the in-thread one also counts them. */
const HUB = { retentionEvents: 1_000_000, retentionBytes: 256 * 1024 * 1024 };

async function measure(kind: 'in-thread' | 'worker'): Promise<{ wall: number; busy: number; events: number | undefined }> {
  const processor = kind === 'worker' ? new AaepWorkerSpanProcessor({ agentId: 'bench', hub: HUB, server: { port: 0 } }) : new AaepSpanProcessor({ agentId: 'bench', hub: HUB });
  if (processor instanceof AaepWorkerSpanProcessor) await processor.server;
  const loop = performance.eventLoopUtilization();
  const start = performance.now();
  for (const records of turns) for (const record of records) processor.acceptRecord(record);
  await processor.forceFlush();
  const wall = performance.now() - start;
  const busy = performance.eventLoopUtilization(loop).active;
  const events = processor instanceof AaepSpanProcessor ? processor.hub.retention.events : undefined;
  await processor.shutdown();
  return { wall, busy, events };
}

const results: Record<string, { wall: number[]; busy: number[] }> = { 'in-thread': { wall: [], busy: [] }, worker: { wall: [], busy: [] } };
let eventCount = 0;
await measure('in-thread');
await measure('worker');
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of ['in-thread', 'worker'] as const) {
    const { wall, busy, events } = await measure(kind);
    results[kind]!.wall.push(wall);
    results[kind]!.busy.push(busy);
    if (events !== undefined) eventCount = events;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// The worker's hub holds the same events: both translate the same records.
const rate = (kind: string) => Math.round(eventCount / (median(results[kind]!.wall) / 1000));
console.log(`translator throughput: ${SESSIONS} agent turns (${eventCount} AAEP events) x ${ROUNDS} rounds, medians`);
for (const kind of Object.keys(results)) {
  console.log(`  ${kind.padEnd(10)} ${median(results[kind]!.wall).toFixed(1).padStart(8)} ms  ${String(rate(kind)).padStart(8)} events/s  agent thread busy ${median(results[kind]!.busy).toFixed(1)} ms`);
}
report([
  { metric: 'translator throughput, in-thread processor', value: rate('in-thread'), unit: 'events/s', target: '(reported)', met: undefined },
  { metric: 'translator throughput, one worker', value: rate('worker'), unit: 'events/s', target: '(reported)', met: undefined },
]);
