/**
 * Translator work per AAEP event against the serialisation floor, measured in the same run:
 * the floor is what every event costs however it was made (JSON.stringify of the same events,
 * then writing each frame into the hub's ring). The workload is the agent turn of
 * bench/processor-overhead.ts as span lifecycle records, built before timing, so only the
 * translator (classification, state machine, phrases, redaction, envelope) is timed.
 * Target: translator ≤ 2× the floor.   Run: npm run bench:per-event [-- --sessions 2000 --rounds 9]
 */
import { parseArgs } from 'node:util';
import { EventHub } from '../src/hub/EventHub.js';
import type { AaepEvent } from '../src/protocol/index.js';
import { Translator } from '../src/translate/Translator.js';
import { agentTurnRecords } from './agentTurnRecords.js';
import { report } from './report.js';

const { values } = parseArgs({
  options: { sessions: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '9' } },
});
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);

const turns = Array.from({ length: SESSIONS }, (_, n) => agentTurnRecords(n));

/** Translates every turn; returns the elapsed milliseconds and the events it emitted. */
function translate(): { ms: number; events: AaepEvent[] } {
  const events: AaepEvent[] = [];
  const translator = new Translator({ producer: { agent_id: 'bench', agent_name: 'Travel agent' }, emit: (e) => void events.push(e) });
  const start = process.hrtime.bigint();
  for (const records of turns) for (const record of records) translator.handle(record);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, events };
}

/** The floor: serialise each event and write its frame into a hub's ring, as publishing does. */
function serialise(events: readonly AaepEvent[]): number {
  const hub = new EventHub();
  const start = process.hrtime.bigint();
  for (const event of events) hub.publishSerialized(event.event_id, event.session_id, JSON.stringify(event));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  hub.close();
  return ms;
}

const translatorMs: number[] = [];
const floorMs: number[] = [];
let eventCount = 0;
serialise(translate().events); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  const { ms, events } = translate();
  translatorMs.push(ms);
  floorMs.push(serialise(events));
  eventCount = events.length;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perEvent = (ms: number) => (ms * 1000) / eventCount;
const translatorUs = perEvent(median(translatorMs));
const floorUs = perEvent(median(floorMs));
const ratio = Number((translatorUs / floorUs).toFixed(3));
console.log(`per event: ${SESSIONS} agent turns (${eventCount} AAEP events) x ${ROUNDS} rounds, medians`);
console.log(`  translator                            ${translatorUs.toFixed(3).padStart(8)} µs/event`);
console.log(`  floor (JSON.stringify + ring write)   ${floorUs.toFixed(3).padStart(8)} µs/event`);
console.log(`  ratio translator / floor: ${ratio}x  (target <= 2x)`);
// What one thread sustains translating, serialising and writing into the ring, nothing else.
const throughput = Math.round(1e6 / (translatorUs + floorUs));
console.log(`  one thread: ${throughput} events/s translated and framed`);
report([
  { metric: 'translator per event vs serialisation floor', value: ratio, unit: 'x', target: '<= 2', met: ratio <= 2 },
  { metric: 'translator per event', value: Number(translatorUs.toFixed(3)), unit: 'µs', target: '(info)', met: undefined },
  { metric: 'serialisation floor per event', value: Number(floorUs.toFixed(3)), unit: 'µs', target: '(info)', met: undefined },
  { metric: 'translator throughput, one thread (translate + frame)', value: throughput, unit: 'events/s', target: '(info)', met: undefined },
]);
