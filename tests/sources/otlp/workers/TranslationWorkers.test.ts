import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { SerializedEvent } from '../../../../src/hub/SerializedEvent.js';
import type { AaepEvent } from '../../../../src/protocol/index.js';
import { decodeTraceRequest } from '../../../../src/sources/otlp/otlpProtobuf.js';
import { recordsFromOtlp, type OtlpRecords } from '../../../../src/sources/otlp/recordsFromOtlp.js';
import { TraceAssembler } from '../../../../src/sources/otlp/TraceAssembler.js';
import { IntakeUnavailable, InvalidExport } from '../../../../src/sources/otlp/SpanIntake.js';
import { shardOf, TranslationWorkers, type TranslationWorkersOptions } from '../../../../src/sources/otlp/workers/TranslationWorkers.js';
import { sessionIdFor } from '../../../../src/translate/ids.js';
import { Translator } from '../../../../src/translate/index.js';
import type { ReplyRequest } from '../../../../src/translate/TranslatorOptions.js';
import { agentTurn } from '../../../helpers/agentTurn.js';
import { ended, event, started } from '../../../helpers/records.js';
import { finishedSpansOf } from '../../../helpers/finishedSpans.js';
import { expectLegalStream } from '../../../helpers/streamRules.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const BOUNDS = { maxSessions: 100, maxSpansPerSession: 100, quietMs: 60_000, maxHeldSpansPerTrace: 100, maxHeldSpans: 1_000 };

/** One export's records, as the receiver's thread decodes them. */
function recordsOf(spans: readonly ReadableSpan[]): OtlpRecords {
  return recordsFromOtlp(decodeTraceRequest(ProtobufTraceSerializer.serializeRequest([...spans])!));
}

async function turns(count: number): Promise<ReadableSpan[]> {
  return finishedSpansOf(async (tracer) => {
    for (let i = 0; i < count; i++) await agentTurn(tracer);
  });
}

function pool(workers: number, overrides: Partial<TranslationWorkersOptions> = {}) {
  const published: Array<{ event: SerializedEvent; owner: string | undefined }> = [];
  const asked: ReplyRequest[] = [];
  const closed: string[] = [];
  const ignore = () => {};
  const translation = new TranslationWorkers({
    workers,
    producer: { agent_id: 'test' },
    ...BOUNDS,
    publish: (event, owner) => published.push({ event, owner }),
    onReplyRequested: (request) => asked.push(request),
    onSessionClosed: (sessionId) => closed.push(sessionId),
    onViolation: ignore,
    onLimit: ignore,
    ...overrides,
  });
  cleanups.push(() => translation.close());
  return { translation, published, asked, closed };
}

/** Start signals of session spans that have not ended, one per trace, as AaepSignalProcessor sends them. */
function sessionStarts(traceIds: readonly string[], now: number): OtlpRecords['signals'] {
  return traceIds.map((traceId, i) => ({ id: `start${i}`, record: { ...started(i + 1, undefined, { 'gen_ai.operation.name': 'invoke_agent' }, now), traceId } }));
}

const silent: DiagLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} };

/** The session id of the one session span among `records`. */
function sessionOf(records: OtlpRecords): string {
  const root = records.ended.find((span) => span.parentSpanId === undefined)!;
  return sessionIdFor(root.traceId, root.spanId);
}

/** Each session's events, in the order they were published. */
function bySession(events: readonly AaepEvent[]): Map<string, AaepEvent[]> {
  const sessions = new Map<string, AaepEvent[]>();
  for (const event of events) sessions.set(event.session_id, [...(sessions.get(event.session_id) ?? []), event]);
  return sessions;
}

describe('translation workers', () => {
  it('give every session exactly the events one translator in this thread gives, each trace in one worker', async () => {
    const records = recordsOf(await turns(24));
    const traceIds = new Set(records.ended.map((span) => span.traceId));
    // Both workers have traces to translate.
    expect(new Set([...traceIds].map((traceId) => shardOf(traceId, 2)))).toEqual(new Set([0, 1]));

    const inThread: AaepEvent[] = [];
    const translator = new Translator({ producer: { agent_id: 'test' }, emit: (event) => inThread.push(JSON.parse(JSON.stringify(event)) as AaepEvent) });
    new TraceAssembler(translator, BOUNDS).ingest(records);

    const { translation, published, closed } = pool(2);
    await translation.ready();
    const result = await translation.ingest(records);
    expect(result).toEqual({ refused: 0, reasons: [] });
    const fromWorkers = published.map(({ event }) => JSON.parse(event.json) as AaepEvent);
    expect(fromWorkers.length).toBe(inThread.length);
    expect(bySession(fromWorkers)).toEqual(bySession(inThread));
    for (const events of bySession(fromWorkers).values()) expectLegalStream(events);
    expect(new Set(closed)).toEqual(new Set(bySession(inThread).keys()));
    expect(translation.mirror.size).toBe(0);
  });

  it('keep where each open session stands for a late subscriber, its question with the time left, and forget it once the session ends', async () => {
    const { translation, published, asked } = pool(2);
    const now = Date.now();
    // Start signals, as AaepSignalProcessor sends them: the session opens and asks while its spans are still open.
    const session = started(1, undefined, { 'gen_ai.operation.name': 'invoke_agent' }, now - 5_000, 'invoke_agent pay');
    const tool = started(2, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer' }, now - 5_000, 'execute_tool transfer');
    const question = event(2, 'aaep.confirmation.requested', { 'aaep.confirmation.reply_token': 'rpl_late1', 'aaep.confirmation.action': 'Pay 900 NOK', 'aaep.confirmation.timeout_seconds': 60 }, now - 5_000);
    const signals = [session, tool, question].map((record, i) => ({ id: `signal${i}`, record }));
    await translation.ingest({ ended: [], signals, rejected: 0, errors: [] });
    expect(asked).toMatchObject([{ kind: 'confirmation', token: 'rpl_late1', timeoutSeconds: 60 }]);
    expect(translation.mirror.size).toBe(1);

    const [caughtUp] = translation.catchUp(undefined, 10);
    const sessionId = published[0]!.event.sessionId;
    expect(caughtUp!.sessionId).toBe(sessionId);
    const types = caughtUp!.events.map((e) => e.type.replace('aaep:agent.', ''));
    expect(types).toEqual(['session.started', 'tool.invoked', 'state.changed', 'awaiting.confirmation']);
    const resent = caughtUp!.events.at(-1) as AaepEvent & { timeout_seconds: number; reply_token: string };
    expect(resent.reply_token).toBe('rpl_late1');
    expect(resent.timeout_seconds).toBeGreaterThanOrEqual(53);
    expect(resent.timeout_seconds).toBeLessThanOrEqual(55);
    // The same events as published, but the question re-stamped now.
    const publishedIds = published.map(({ event }) => event.eventId);
    for (const e of caughtUp!.events) expect(publishedIds).toContain(e.event_id);
    expect(translation.catchUp(sessionId, 10)).toHaveLength(1);
    expect(translation.catchUp(`${sessionId.slice(0, -1)}0`, 10)).toEqual([]);
    expect(translation.catchUp(undefined, 10, () => false)).toEqual([]);

    await translation.ingest({ ended: [ended(tool, now), ended(session, now)], signals: [], rejected: 0, errors: [] });
    expect(translation.mirror.size).toBe(0);
    expect(translation.catchUp(undefined, 10)).toEqual([]);
    expectLegalStream(published.map(({ event }) => JSON.parse(event.json) as AaepEvent));
  });

  it('hold the receiver\'s session bound together: sessions beyond it are refused whichever worker they fall to', async () => {
    const { translation, published } = pool(2, { maxSessions: 3 });
    const now = Date.now();
    const traceIds = Array.from({ length: 8 }, (_, i) => `${'0'.repeat(24)}${(i * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0')}`);
    expect(new Set(traceIds.map((traceId) => shardOf(traceId, 2)))).toEqual(new Set([0, 1]));
    const signals = sessionStarts(traceIds, now);
    const result = await translation.ingest({ ended: [], signals, rejected: 0, errors: [] });
    expect(result.refused).toBe(5);
    expect(published.filter(({ event }) => event.type === 'aaep:agent.session.started')).toHaveLength(3);
    expect(translation.usage.sessions).toEqual({ size: 3, limit: 3 });
    expect(translation.usage.heldSpans).toMatchObject({ size: 0, limit: BOUNDS.maxHeldSpans, perTrace: BOUNDS.maxHeldSpansPerTrace });
  });

  it('end the open sessions when closed, heard before close resolves, then take no more exports', async () => {
    const { translation, published, closed } = pool(2);
    const traceIds = Array.from({ length: 4 }, (_, i) => `${'1'.repeat(24)}${(i * 0x9e3779b1 >>> 0).toString(16).padStart(8, '0')}`);
    const starts = { ended: [], signals: sessionStarts(traceIds, Date.now()), rejected: 0, errors: [] };
    await translation.ingest(starts);
    expect(translation.usage.sessions.size).toBe(4);
    await translation.close();
    const sessions = bySession(published.map(({ event }) => JSON.parse(event.json) as AaepEvent));
    expect(sessions.size).toBe(4);
    for (const events of sessions.values()) {
      expectLegalStream(events);
      expect(events.at(-1)).toMatchObject({ type: 'aaep:agent.session.cancelled', cancelled_by: 'system' });
    }
    expect(new Set(closed)).toEqual(new Set(sessions.keys()));
    await expect(translation.ingest(starts)).rejects.toThrow(/stopping/);
    await translation.close();
  });

  it('answer the exports a dead worker held with a retryable error, and give its traces to a new worker', async () => {
    const errors: string[] = [];
    diag.setLogger({ ...silent, error: (message: string) => errors.push(message) }, DiagLogLevel.ERROR);
    cleanups.push(() => diag.disable());
    const { translation, published } = pool(1);
    await translation.ready();
    const [dead] = translation.threads;
    const held = translation.ingest(recordsOf(await turns(24)));
    await dead!.terminate();
    await expect(held).rejects.toBeInstanceOf(IntakeUnavailable);
    expect(errors.join('\n')).toMatch(/translation worker 0 stopped .*a new worker takes its traces/);
    expect(translation.threads[0]).not.toBe(dead);

    const records = recordsOf(await turns(1));
    expect(await translation.ingest(records)).toEqual({ refused: 0, reasons: [] });
    const events = published.map(({ event }) => JSON.parse(event.json) as AaepEvent).filter((e) => e.session_id === sessionOf(records));
    expectLegalStream(events);
    expect(events.at(-1)!.type).toBe('aaep:agent.session.completed');
  });

  it('decode a protobuf export in the workers, each its own traces, into the same events as records decoded here', async () => {
    const bytes = ProtobufTraceSerializer.serializeRequest([...(await turns(16))])!;
    const records = recordsFromOtlp(decodeTraceRequest(bytes));
    const decodedHere = pool(2);
    await decodedHere.translation.ingest(records);
    const decodedThere = pool(2);
    const answer = await decodedThere.translation.ingestProtobuf(bytes);
    expect(answer).toEqual({ refused: 0, reasons: [], decoded: { spans: records.ended.length, signals: 0, rejected: 0, errors: [] } });
    const events = (published: typeof decodedHere.published) => bySession(published.map(({ event }) => JSON.parse(event.json) as AaepEvent));
    expect(events(decodedThere.published)).toEqual(events(decodedHere.published));
    expect(events(decodedThere.published).size).toBeGreaterThanOrEqual(16);

    await expect(decodedThere.translation.ingestProtobuf(bytes.subarray(0, bytes.length - 3))).rejects.toBeInstanceOf(InvalidExport);
    // Valid framing around a span that is not one: the worker's decoder says so.
    const garbled = Uint8Array.from([0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x0a, 0xff]);
    await expect(pool(1).translation.ingestProtobuf(garbled)).rejects.toBeInstanceOf(InvalidExport);
  });
});
