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
import type { Attributes, SpanEventRecord, SpanRecord, SpanStartedRecord } from '../src/records.js';
import { Translator } from '../src/translate/Translator.js';
import { report } from './report.js';

const { values } = parseArgs({
  options: { sessions: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '9' } },
});
const SESSIONS = Number(values.sessions);
const ROUNDS = Number(values.rounds);

const TOKENS = ['The weather ', 'in Oslo ', 'is cold. ', 'Flights ', 'start at ', '1200 NOK. ', 'Want me ', 'to book ', 'one?'];

/** The records the processor hands the translator for one agent turn of the processor bench. */
function agentTurnRecords(n: number): SpanRecord[] {
  const traceId = n.toString(16).padStart(32, '0');
  let clock = 1_780_000_000_000 + n * 50;
  let ids = 0;
  const records: SpanRecord[] = [];
  const start = (name: string, parent: SpanStartedRecord | undefined, attributes: Attributes): SpanStartedRecord => {
    const record: SpanStartedRecord = {
      kind: 'started', traceId, spanId: (++ids).toString(16).padStart(16, '0'), parentSpanId: parent?.spanId,
      traceFlags: 1, name, startTime: clock++, attributes,
    };
    records.push(record);
    return record;
  };
  const event = (span: SpanStartedRecord, name: string, attributes: Attributes): SpanEventRecord => {
    const record: SpanEventRecord = { kind: 'event', traceId, spanId: span.spanId, name, time: clock++, attributes };
    records.push(record);
    return record;
  };
  const end = (span: SpanStartedRecord, attributes: Attributes = {}): void => {
    records.push({
      kind: 'ended', traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, traceFlags: 1, name: span.name,
      startTime: span.startTime, endTime: clock++, attributes: { ...span.attributes, ...attributes }, status: { code: 0 }, events: [],
    });
  };
  const session = start('invoke_agent travel', undefined, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent', 'aaep.session.request': `Plan trip ${n}` });
  end(start('chat plan', session, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-1' }));
  for (const tool of ['get_weather', 'search_flights']) {
    const span = start(`execute_tool ${tool}`, session, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.arguments': '{"city":"Oslo","date":"2026-12-01"}' });
    event(span, 'aaep.progress', { 'aaep.progress.percent': 50 });
    end(span, { 'gen_ai.tool.call.result': '{"temperature":-3,"flights":4}' });
  }
  const answer = start('chat answer', session, { 'gen_ai.operation.name': 'chat' });
  for (const text of TOKENS) event(answer, 'aaep.output.chunk', { 'aaep.output.text': text });
  end(answer);
  end(session);
  return records;
}

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
