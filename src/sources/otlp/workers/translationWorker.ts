/**
 * One of the receiver's translation workers (see TranslationWorkers): the traces
 * of its shard are assembled and translated here, and every event leaves
 * serialised, with what the receiver's thread must do about it, in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import { serializeEvent } from '../../../hub/SerializedEvent.js';
import type { AaepEvent } from '../../../protocol/index.js';
import { Tally } from '../../../Tally.js';
import { Translator } from '../../../translate/index.js';
import { phrasesOf } from '../../../translate/messages/EventPhrases.js';
import { describe, forwardDiag } from '../../worker/workerThreads.js';
import { decodeTraceRequest } from '../otlpProtobuf.js';
import { recordsFromOtlp, type OtlpRecords } from '../recordsFromOtlp.js';
import { decodedOf } from '../SpanIntake.js';
import { TraceAssembler } from '../TraceAssembler.js';
import type { Effect, EffectBody, FromTranslation, PackedEvents, ToTranslation, TranslationWorkerData } from './TranslationProtocol.js';

const port = parentPort!;
const data = workerData as TranslationWorkerData;
const send = (message: FromTranslation) => port.postMessage(message);
forwardDiag(send, data.diagLevel);

let effects: Effect[] = [];
let events = packed();
/** The batch's event JSON, joined once at the flush. */
let json: string[] = [];
let flushScheduled = false;
/** Sessions with events since the last flush: their snapshot may have changed. */
const touched = new Set<string>();
/** The objects each open session's last snapshot was made of, to send one only when it changed. */
const sent = new Map<string, readonly object[]>();

function packed(): PackedEvents {
  return { json: '', ends: [], eventIds: [], sessionIds: [], types: [], owners: [], phrases: [], replyTokens: [] };
}

// Timers (questions' deadlines, quiet traces) translate outside any message: their effects go on their own.
const scheduleFlush = () => {
  if (flushScheduled) return;
  flushScheduled = true;
  queueMicrotask(flush);
};

/** An effect after the events so far. */
const add = (effect: EffectBody) => {
  effects.push({ ...effect, at: events.ends.length });
  scheduleFlush();
};

const publish = (event: AaepEvent, owner: string | undefined) => {
  const serialized = serializeEvent(event);
  touched.add(serialized.sessionId);
  json.push(serialized.json);
  events.ends.push((events.ends.at(-1) ?? 0) + serialized.json.length);
  events.eventIds.push(serialized.eventId);
  events.sessionIds.push(serialized.sessionId);
  events.types.push(serialized.type);
  events.owners.push(owner);
  events.phrases.push(serialized.phrases);
  events.replyTokens.push(serialized.replyToken);
  scheduleFlush();
};

const translator = new Translator({
  producer: data.producer,
  emit: publish,
  onViolation: (message) => add({ kind: 'violation', message }),
  onSessionClosed: (sessionId) => add({ kind: 'closed', sessionId }),
  onReplyRequested: (request) => add({ kind: 'ask', request }),
  maxSessions: data.maxSessions,
  maxSpansPerSession: data.maxSpansPerSession,
  openSessions: new Tally(data.openSessions),
  onLimit: (reached) => add({ kind: 'limit', reached }),
});
const assembler = new TraceAssembler(translator, {
  quietMs: data.quietMs,
  maxHeldSpansPerTrace: data.maxHeldSpansPerTrace,
  maxHeldSpans: data.maxHeldSpans,
  heldSpans: new Tally(data.heldSpans),
  onLimit: (reached) => add({ kind: 'limit', reached }),
});

/** Sends what translating did since the last flush, then the snapshots of the sessions it changed. */
function flush(): void {
  flushScheduled = false;
  for (const sessionId of touched) snapshotIfChanged(sessionId);
  touched.clear();
  if (effects.length === 0 && events.ends.length === 0) return;
  const batch = { type: 'effects', events: { ...events, json: json.join('') }, effects, usage: usage() } as const;
  effects = [];
  events = packed();
  json = [];
  send(batch);
}

const usage = () => ({ ...translator.usage, heldSpans: assembler.usage });

function snapshotIfChanged(sessionId: string): void {
  const snapshot = translator.snapshot(sessionId);
  if (snapshot === undefined) {
    if (sent.delete(sessionId)) effects.push({ kind: 'gone', sessionId, at: events.ends.length });
    return;
  }
  const parts: object[] = [...snapshot.events, ...snapshot.questions];
  const before = sent.get(sessionId);
  if (before !== undefined && before.length === parts.length && before.every((part, i) => part === parts[i])) return;
  sent.set(sessionId, parts);
  const phrases = (events: readonly AaepEvent[]) => events.map((event) => phrasesOf(event));
  effects.push({
    kind: 'snapshot',
    at: events.ends.length,
    message: { snapshot, phrases: phrases(snapshot.events), questionPhrases: phrases(snapshot.questions.map((question) => question.event)) },
  });
}

/** This worker's heap and off-heap bytes, after full collections when the process runs with `--expose-gc`. */
function heapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; gc !== undefined && i < 4; i++) gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.external;
}

port.on('message', (message: ToTranslation) => {
  try {
    if (message.type === 'ingest') {
      const result = assembler.ingest({ ...message.records, rejected: 0, errors: [] });
      flush();
      send({ type: 'ingested', id: message.id, result, usage: usage() });
    } else if (message.type === 'ingestProtobuf') {
      let records: OtlpRecords;
      try {
        records = recordsFromOtlp(decodeTraceRequest(message.bytes));
      } catch (error) {
        send({ type: 'invalid', id: message.id, message: (error as Error).message });
        return;
      }
      const result = assembler.ingest(records);
      flush();
      send({ type: 'ingested', id: message.id, result, usage: usage(), decoded: decodedOf(records) });
    } else if (message.type === 'restamp') {
      translator.restamp(message.sessionId, message.time);
    } else if (message.type === 'memory') {
      send({ type: 'memory', id: message.id, bytes: heapBytes() });
    } else {
      assembler.flushAll();
      assembler.close();
      translator.cancelAll(Date.now(), 'producer_shutdown');
      flush();
      send({ type: 'closed', id: message.id });
    }
  } catch (error) {
    diag.error('aaep-otel: translating an OTLP export failed', describe(error));
    flush();
    if (message.type === 'ingest' || message.type === 'ingestProtobuf') send({ type: 'ingested', id: message.id, result: { refused: 0, reasons: [] }, usage: usage() });
    if (message.type === 'close') send({ type: 'closed', id: message.id });
  }
});

send({ type: 'ready' });
