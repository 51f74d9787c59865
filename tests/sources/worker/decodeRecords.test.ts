import { describe, expect, it, vi } from 'vitest';
import type { Attributes, SpanEndedRecord, SpanEventRecord, SpanRecord, SpanStartedRecord } from '../../../src/records.js';
import { OTLP_LIMITS } from '../../../src/sources/otlp/recordsFromOtlp.js';
import { decodeRecords } from '../../../src/sources/worker/decodeRecords.js';
import { hrMillis, RecordEncoder, type CapturedEvent, type EndedSpan } from '../../../src/sources/worker/RecordEncoder.js';
import { createRingBuffer, RingReader, RingWriter } from '../../../src/sources/worker/RecordRing.js';

/** Ends a span through the encoder's span-shaped method, the span built from millisecond times as the SDK would hold them. */
function endSpan(
  encoder: RecordEncoder,
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  traceFlags: number,
  name: string,
  [start, end]: readonly [number, number],
  attributes: Attributes,
  status: { code: number; message?: string },
  events: readonly CapturedEvent[],
): number {
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  const span: EndedSpan = {
    spanContext: () => ({ traceId, spanId, traceFlags }),
    parentSpanContext: parentSpanId === undefined ? undefined : { spanId: parentSpanId },
    name,
    startTime: hr(start),
    endTime: hr(end),
    attributes,
    status,
  };
  return encoder.ended(0, span, events);
}

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = '051581bf3cb55c13';
const PARENT = 'a1b2c3d4e5f60718';
const SESSION = '0f1e2d3c4b5a6978';
const START = 1_700_000_000_123.25;
const END = 1_700_000_004_567.5;

/** Every record in a batch, in order. */
function decodeAll(bytes: Uint8Array): SpanRecord[] {
  const records: SpanRecord[] = [];
  decodeRecords(bytes, (record) => records.push(record));
  return records;
}

/** The one record of a batch. */
function decodeOne(bytes: Uint8Array): SpanRecord {
  const records = decodeAll(bytes);
  expect(records).toHaveLength(1);
  return records[0]!;
}

/** Encodes a record given as a SpanRecord, alone in its batch, and decodes it. */
function roundTrip(record: SpanRecord, encoder = new RecordEncoder()): SpanRecord {
  const size = encoder.record(record);
  const batch = encoder.take();
  expect(batch.length).toBe(size);
  return decodeOne(batch);
}

const started: SpanStartedRecord = {
  kind: 'started',
  traceId: TRACE,
  spanId: SPAN,
  parentSpanId: PARENT,
  sessionSpanId: SESSION,
  traceFlags: 1,
  name: 'invoke_agent planner',
  startTime: START,
  attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' },
};

const event: SpanEventRecord = {
  kind: 'event',
  traceId: TRACE,
  spanId: SPAN,
  name: 'gen_ai.content.prompt',
  time: START + 10.5,
  attributes: { 'gen_ai.prompt': 'Plan a trip to Zürich ✈️' },
};

const ended: SpanEndedRecord = {
  kind: 'ended',
  traceId: TRACE,
  spanId: SPAN,
  parentSpanId: PARENT,
  traceFlags: 1,
  name: 'chat gpt-4o',
  startTime: START,
  endTime: END,
  attributes: { 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 48 },
  status: { code: 2, message: 'rate limited' },
  events: [
    { kind: 'event', traceId: TRACE, spanId: SPAN, name: 'first', time: START + 1, attributes: { step: 1 } },
    { kind: 'event', traceId: TRACE, spanId: SPAN, name: 'second', time: START + 2.75, attributes: {} },
  ],
};

describe('RecordEncoder and decodeRecords', () => {
  it('reads back a started record with its parent and session span', () => {
    expect(roundTrip(started)).toEqual(started);
  });

  it('reads back a root started record without parent or session span as having none', () => {
    const root: SpanStartedRecord = { ...started, parentSpanId: undefined, sessionSpanId: undefined, traceFlags: 0 };
    const decoded = roundTrip(root);
    expect(decoded).toEqual(root);
    expect(decoded.kind === 'started' && decoded.parentSpanId).toBeUndefined();
    expect(decoded.kind === 'started' && decoded.sessionSpanId).toBeUndefined();
  });

  it('keeps a session span apart from the parent: one without the other', () => {
    expect(roundTrip({ ...started, parentSpanId: undefined })).toEqual({ ...started, parentSpanId: undefined });
    expect(roundTrip({ ...started, sessionSpanId: undefined })).toEqual({ ...started, sessionSpanId: undefined });
  });

  it('reads back an event record', () => {
    expect(roundTrip(event)).toEqual(event);
  });

  it('reads back an ended record with a status message and events', () => {
    expect(roundTrip(ended)).toEqual(ended);
  });

  it('reads back an ended record without a status message or events', () => {
    const plain: SpanEndedRecord = { ...ended, parentSpanId: undefined, status: { code: 1 }, events: [] };
    const decoded = roundTrip(plain);
    expect(decoded).toEqual(plain);
    expect(decoded.kind === 'ended' && decoded.status.message).toBeUndefined();
  });

  it('tells an empty status message from none', () => {
    const decoded = roundTrip({ ...ended, status: { code: 2, message: '' } });
    expect(decoded.kind === 'ended' && decoded.status).toStrictEqual({ code: 2, message: '' });
  });

  it('reads back records encoded from span-shaped arguments, with event times as HrTime', () => {
    const encoder = new RecordEncoder();
    encoder.started(0, TRACE, SPAN, PARENT, undefined, 1, 'tool weather', START, { 'gen_ai.tool.name': 'weather' });
    expect(decodeOne(encoder.take())).toEqual({
      kind: 'started',
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      traceFlags: 1,
      name: 'tool weather',
      startTime: START,
      attributes: { 'gen_ai.tool.name': 'weather' },
    } satisfies SpanStartedRecord);

    encoder.event(0, TRACE, SPAN, { name: 'progress', time: [1_700_000_001, 1_500_000], attributes: { done: 0.5 } });
    expect(decodeOne(encoder.take())).toEqual({
      kind: 'event',
      traceId: TRACE,
      spanId: SPAN,
      name: 'progress',
      time: 1_700_000_001_001.5,
      attributes: { done: 0.5 },
    } satisfies SpanEventRecord);
    encoder.event(0, TRACE, SPAN, { name: 'bare', time: [1_700_000_002, 0] });
    expect(decodeOne(encoder.take())).toEqual({
      kind: 'event',
      traceId: TRACE,
      spanId: SPAN,
      name: 'bare',
      time: 1_700_000_002_000,
      attributes: {},
    } satisfies SpanEventRecord);

    endSpan(encoder, TRACE, SPAN, PARENT, 1, 'tool weather', [START, END], { 'gen_ai.tool.name': 'weather' }, { code: 2, message: 'timeout' }, [
      { name: 'retry', time: [1_700_000_003, 250_000_000], attributes: { attempt: 2 } },
      { name: 'gave up', time: [1_700_000_004, 0] },
    ]);
    expect(decodeOne(encoder.take())).toEqual({
      kind: 'ended',
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      traceFlags: 1,
      name: 'tool weather',
      startTime: START,
      endTime: END,
      attributes: { 'gen_ai.tool.name': 'weather' },
      status: { code: 2, message: 'timeout' },
      events: [
        { kind: 'event', traceId: TRACE, spanId: SPAN, name: 'retry', time: 1_700_000_003_250, attributes: { attempt: 2 } },
        { kind: 'event', traceId: TRACE, spanId: SPAN, name: 'gave up', time: 1_700_000_004_000, attributes: {} },
      ],
    } satisfies SpanEndedRecord);
    endSpan(encoder, TRACE, SPAN, undefined, 0, 'root', [START, END], {}, { code: 0 }, []);
    expect(decodeOne(encoder.take())).toEqual({
      kind: 'ended',
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 0,
      name: 'root',
      startTime: START,
      endTime: END,
      attributes: {},
      status: { code: 0 },
      events: [],
    } satisfies SpanEndedRecord);
  });

  it('turns HrTime into milliseconds since the epoch', () => {
    expect(hrMillis([1_700_000_000, 0])).toBe(1_700_000_000_000);
    expect(hrMillis([1_700_000_000, 250_000_000])).toBe(1_700_000_000_250);
    expect(hrMillis([0, 1_500_000])).toBe(1.5);
  });

  it('carries attribute values of every kind', () => {
    const attributes: Attributes = {
      ascii: 'plain',
      empty: '',
      place: 'Zürich ✈️ 東京 😀',
      integer: 42,
      negative: -17,
      fractional: 0.125,
      bigger: -1234.5678,
      large: Number.MAX_SAFE_INTEGER,
      zero: 0,
      infinite: Number.POSITIVE_INFINITY,
      yes: true,
      no: false,
      strings: ['a', 'Zürich ✈️', ''],
      numbers: [1, -2.5, 0],
      booleans: [true, false, true],
      none: [],
      'key with spaces / ü': 'keys are strings too',
    };
    const decoded = roundTrip({ ...started, attributes });
    expect(decoded.attributes).toStrictEqual(attributes);
    // Tags kept apart: true and false are booleans, not strings or numbers; arrays stay arrays.
    expect(decoded.attributes.yes).toBe(true);
    expect(decoded.attributes.no).toBe(false);
    expect(decoded.attributes.zero).toBe(0);
    expect(Array.isArray(decoded.attributes.numbers)).toBe(true);
  });

  it('carries attribute values in events too, on their own and inside an ended record', () => {
    const attributes: Attributes = { text: 'Zürich ✈️', count: -3, ratio: 0.5, ok: true, failed: false, list: ['x', 'y'], flags: [false] };
    expect(roundTrip({ ...event, attributes }).attributes).toStrictEqual(attributes);
    const decoded = roundTrip({ ...ended, events: [{ ...event, attributes }] });
    expect(decoded.kind === 'ended' && decoded.events[0]!.attributes).toStrictEqual(attributes);
  });

  it('leaves out undefined and null attribute values, without counting them', () => {
    const attributes = { kept: 'yes', gone: undefined, nothing: null, alsoKept: 1 } as unknown as Attributes;
    const decoded = roundTrip({ ...started, attributes });
    expect(decoded.attributes).toStrictEqual({ kept: 'yes', alsoKept: 1 });
    expect(Object.keys(decoded.attributes)).toEqual(['kept', 'alsoKept']);

    // Leading empty values do not take places under the limit.
    const many: Record<string, string | undefined> = {};
    for (let i = 0; i < 10; i++) many[`empty${i}`] = undefined;
    for (let i = 0; i < OTLP_LIMITS.attributesPerSpan; i++) many[`k${i}`] = `v${i}`;
    const all = roundTrip({ ...started, attributes: many });
    expect(Object.keys(all.attributes)).toHaveLength(OTLP_LIMITS.attributesPerSpan);
    expect(all.attributes[`k${OTLP_LIMITS.attributesPerSpan - 1}`]).toBe(`v${OTLP_LIMITS.attributesPerSpan - 1}`);
  });

  it('clips strings longer than OTLP_LIMITS.stringChars to that many characters', () => {
    const long = 'x'.repeat(OTLP_LIMITS.stringChars + 100);
    const wide = 'ü'.repeat(OTLP_LIMITS.stringChars + 5);
    const exact = 'y'.repeat(OTLP_LIMITS.stringChars);
    const decoded = roundTrip({ ...started, name: long, attributes: { long, wide, exact } });
    expect(decoded.name).toBe(long.slice(0, OTLP_LIMITS.stringChars));
    expect(decoded.attributes.long).toBe(long.slice(0, OTLP_LIMITS.stringChars));
    // Characters, not bytes: 'ü' takes two bytes in UTF-8.
    expect(decoded.attributes.wide).toBe(wide.slice(0, OTLP_LIMITS.stringChars));
    expect(decoded.attributes.exact).toBe(exact);
    const endedDecoded = roundTrip({ ...ended, status: { code: 2, message: long } });
    expect(endedDecoded.kind === 'ended' && endedDecoded.status.message).toBe(long.slice(0, OTLP_LIMITS.stringChars));
  });

  it('keeps only the first OTLP_LIMITS.attributesPerSpan attributes of a span', () => {
    const attributes: Record<string, number> = {};
    for (let i = 0; i < OTLP_LIMITS.attributesPerSpan + 44; i++) attributes[`a${i}`] = i;
    const expected = Object.fromEntries(Array.from({ length: OTLP_LIMITS.attributesPerSpan }, (_, i) => [`a${i}`, i]));
    expect(roundTrip({ ...started, attributes }).attributes).toStrictEqual(expected);
    expect(roundTrip({ ...ended, attributes }).attributes).toStrictEqual(expected);
  });

  it('keeps only the first OTLP_LIMITS.attributesPerEvent attributes of an event', () => {
    const attributes: Record<string, number> = {};
    for (let i = 0; i < OTLP_LIMITS.attributesPerEvent + 10; i++) attributes[`e${i}`] = i;
    const expected = Object.fromEntries(Array.from({ length: OTLP_LIMITS.attributesPerEvent }, (_, i) => [`e${i}`, i]));
    expect(roundTrip({ ...event, attributes }).attributes).toStrictEqual(expected);
    const decoded = roundTrip({ ...ended, events: [{ ...event, attributes }] });
    expect(decoded.kind === 'ended' && decoded.events[0]!.attributes).toStrictEqual(expected);
  });

  it('keeps only the first OTLP_LIMITS.eventsPerSpan events of an ended span', () => {
    const events = Array.from({ length: OTLP_LIMITS.eventsPerSpan + 20 }, (_, i): SpanEventRecord => ({ ...event, name: `e${i}`, time: START + i, attributes: {} }));
    const decoded = roundTrip({ ...ended, events });
    expect(decoded).toEqual({ ...ended, events: events.slice(0, OTLP_LIMITS.eventsPerSpan) });
    // The events past the limit are not written at all, not merely skipped when read.
    const encoder = new RecordEncoder();
    const all = encoder.record({ ...ended, events });
    encoder.take();
    // In a batch of its own, as the first: the words of a batch are numbered once.
    expect(all).toBe(encoder.record({ ...ended, events: events.slice(0, OTLP_LIMITS.eventsPerSpan) }));
    encoder.take();

    const captured = events.map((e, i) => ({ name: e.name, time: [1_700_000_000 + i, 0] as [number, number] }));
    const size = endSpan(encoder, TRACE, SPAN, undefined, 1, 'many', [START, END], {}, { code: 0 }, captured);
    const fromSpan = decodeOne(encoder.take());
    expect(fromSpan.kind === 'ended' && fromSpan.events.map((e) => e.name)).toEqual(events.slice(0, OTLP_LIMITS.eventsPerSpan).map((e) => e.name));
    expect(size).toBe(endSpan(encoder, TRACE, SPAN, undefined, 1, 'many', [START, END], {}, { code: 0 }, captured.slice(0, OTLP_LIMITS.eventsPerSpan)));
  });

  it('keeps only the first OTLP_LIMITS.arrayItems items of an array', () => {
    const numbers = Array.from({ length: OTLP_LIMITS.arrayItems + 7 }, (_, i) => i);
    const decoded = roundTrip({ ...started, attributes: { numbers } });
    expect(decoded.attributes.numbers).toEqual(numbers.slice(0, OTLP_LIMITS.arrayItems));
  });

  it('hands over a batch as a view that the next record overwrites, so a copy taken before is what decodes', () => {
    const encoder = new RecordEncoder();
    const first: SpanStartedRecord = { ...started, name: 'first-span', attributes: { who: 'alpha' } };
    const second: SpanStartedRecord = { ...started, spanId: PARENT, parentSpanId: SPAN, name: 'other-span', attributes: { who: 'omega' } };
    encoder.record(first);
    const view = encoder.take();
    // A copy into memory of its own (`new Uint8Array`: the view is a Buffer, whose slice() would be another view).
    const copy = new Uint8Array(view);
    expect(decodeAll(view)).toEqual([first]);
    encoder.record(second);
    // The same length, so the old view now holds the second record whole.
    expect(decodeAll(view)).toEqual([second]);
    expect(decodeAll(copy)).toEqual([first]);
  });

  it('collects records in one batch until taken, each method returning the size of its record', () => {
    const encoder = new RecordEncoder();
    expect(encoder.size).toBe(0);
    const sizes = [
      encoder.record(started),
      encoder.record(event),
      encoder.started(0, TRACE, PARENT, undefined, SESSION, 1, 'child', START + 1, { n: 1 }),
      encoder.event(0, TRACE, PARENT, { name: 'tick', time: [1_700_000_000, 0] }),
      encoder.record(ended),
      endSpan(encoder, TRACE, PARENT, undefined, 1, 'child', [START + 1, END], {}, { code: 1 }, []),
    ];
    for (const size of sizes) expect(size).toBeGreaterThan(0);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(encoder.size).toBe(total);
    const batch = encoder.take();
    expect(batch.length).toBe(total);
    expect(encoder.size).toBe(0);
    expect(decodeAll(batch)).toEqual([
      started,
      event,
      { kind: 'started', traceId: TRACE, spanId: PARENT, sessionSpanId: SESSION, traceFlags: 1, name: 'child', startTime: START + 1, attributes: { n: 1 } },
      { kind: 'event', traceId: TRACE, spanId: PARENT, name: 'tick', time: 1_700_000_000_000, attributes: {} },
      ended,
      { kind: 'ended', traceId: TRACE, spanId: PARENT, traceFlags: 1, name: 'child', startTime: START + 1, endTime: END, attributes: {}, status: { code: 1 }, events: [] },
    ]);
    // Each size is the record's alone: the same record in a batch of its own takes as many bytes.
    expect(encoder.record(ended)).toBe(sizes[4]);
    expect(encoder.take().length).toBe(sizes[4]);
  });

  it('starts a new batch after take', () => {
    const encoder = new RecordEncoder();
    encoder.record(started);
    encoder.record(event);
    expect(decodeAll(encoder.take())).toEqual([started, event]);
    expect(encoder.size).toBe(0);
    expect(decodeAll(encoder.take())).toEqual([]);
    encoder.record(ended);
    expect(decodeAll(encoder.take())).toEqual([ended]);
  });

  it('takes back only the record just written with dropLast', () => {
    const encoder = new RecordEncoder();
    const firstSize = encoder.record(started);
    encoder.record({ ...ended, name: 'too large, say' });
    encoder.dropLast();
    expect(encoder.size).toBe(firstSize);
    encoder.record(event);
    expect(decodeAll(encoder.take())).toEqual([started, event]);

    encoder.record(ended);
    encoder.dropLast();
    expect(encoder.size).toBe(0);
    expect(decodeAll(encoder.take())).toEqual([]);
  });

  it('decodes an empty batch to no records', () => {
    const each = vi.fn();
    decodeRecords(new Uint8Array(0), each);
    expect(each).not.toHaveBeenCalled();
  });

  it('grows past its initial 64 KiB for a large record, and keeps working after it', () => {
    const encoder = new RecordEncoder();
    const huge = 'Zürich ✈️ 東京 '.repeat(5000).slice(0, 60_000);
    const large: SpanEndedRecord = {
      ...ended,
      name: 'ü'.repeat(20_000),
      attributes: { huge, also: '✈'.repeat(30_000), count: 7, list: Array.from({ length: 500 }, (_, i) => `item ${i} ü`) },
      events: [{ ...event, attributes: { again: huge } }],
    };
    expect(encoder.record(large)).toBeGreaterThan(64 * 1024 * 3);
    expect(decodeOne(encoder.take())).toEqual(large);
    expect(roundTrip(started, encoder)).toEqual(started);
    expect(roundTrip(large, encoder)).toEqual(large);
    expect(roundTrip(ended, encoder)).toEqual(ended);
    // Growing in the middle of a batch keeps the records before.
    encoder.record(started);
    encoder.record(event);
    encoder.record(large);
    encoder.record(ended);
    expect(decodeAll(encoder.take())).toEqual([started, event, large, ended]);
  });

  it('decodes batches read out of the ring they were written to', () => {
    const buffer = createRingBuffer(64 * 1024);
    const writer = new RingWriter(buffer);
    const reader = new RingReader(buffer);
    const encoder = new RecordEncoder();
    const records: SpanRecord[] = [];
    for (let i = 0; i < 300; i++) records.push({ ...started, spanId: i.toString(16).padStart(16, '0') }, { ...event, time: START + i }, { ...ended, name: `span ${i}` });
    const decoded: SpanRecord[] = [];
    const drain = () => reader.read((bytes) => decodeRecords(bytes, (record) => decoded.push(record)));
    let batches = 0;
    let inBatch = 0;
    for (const record of records) {
      encoder.record(record);
      // Batches of 1, 2, ... 7 records, then 1 again.
      if (++inBatch > batches % 7) {
        expect(writer.write(encoder.take(), 0)).toBe(0);
        batches++;
        inBatch = 0;
      }
      if (writer.used > 32 * 1024) drain();
    }
    expect(writer.write(encoder.take(), 0)).toBe(0);
    drain();
    expect(batches).toBeGreaterThan(50);
    // Decoded records are copies: the ring has been written over many times since.
    expect(decoded).toEqual(records);
  });

  it('refuses a record of an unknown kind', () => {
    expect(() => decodeRecords(Uint8Array.of(9, 0, 0, 0, 0), () => {})).toThrow(/unknown record kind 9/);
  });

  it('sends the ids of a followed span once: its later records name it by handle, across batches', () => {
    const encoder = new RecordEncoder();
    const spans = new Map();
    const decoded: SpanRecord[] = [];
    encoder.started(7, TRACE, SPAN, PARENT, undefined, 1, 'tool weather', START, { 'gen_ai.tool.name': 'weather' });
    decodeRecords(encoder.take(), (record) => decoded.push(record), spans);
    const byIds = encoder.event(0, TRACE, SPAN, { name: 'tick', time: [1_700_000_001, 0] });
    encoder.dropLast();
    const byHandle = encoder.event(7, TRACE, SPAN, { name: 'tick', time: [1_700_000_001, 0] });
    expect(byIds - byHandle).toBe(2 + TRACE.length + SPAN.length);
    endSpan(encoder, TRACE, SPAN, PARENT, 1, 'tool weather', [START, END], {}, { code: 1 }, []);
    encoder.dropLast();
    encoder.ended(7, { spanContext: () => ({ traceId: TRACE, spanId: SPAN, traceFlags: 1 }), name: 'tool weather', startTime: [1_700_000_000, 0], endTime: [1_700_000_004, 0], attributes: {}, status: { code: 1 } }, []);
    decodeRecords(encoder.take(), (record) => decoded.push(record), spans);
    expect(decoded.map((r) => [r.kind, r.traceId, r.spanId])).toEqual([['started', TRACE, SPAN], ['event', TRACE, SPAN], ['ended', TRACE, SPAN]]);
    expect(decoded[2]).toMatchObject({ parentSpanId: PARENT, traceFlags: 1 });
    expect(spans.size).toBe(0);
  });

  it('skips the records of a handle whose start it never read', () => {
    const encoder = new RecordEncoder();
    encoder.event(9, TRACE, SPAN, { name: 'tick', time: [1_700_000_001, 0] });
    encoder.record({ kind: 'event', traceId: TRACE, spanId: SPAN, name: 'by ids', time: START, attributes: {} });
    expect(decodeAll(encoder.take()).map((r) => r.kind === 'event' && r.name)).toEqual(['by ids']);
  });

  it('numbers the keys and names of a batch, so a repeated key is sent once, and starts afresh with each batch', () => {
    const encoder = new RecordEncoder();
    const attributes = { 'a.rather.long.attribute.key': 'x' };
    const event = (n: number) => ({ kind: 'event' as const, traceId: TRACE, spanId: SPAN, name: 'aaep.output.chunk', time: START + n, attributes });
    const first = encoder.record(event(1));
    const second = encoder.record(event(2));
    expect(first - second).toBe('aaep.output.chunk'.length + 4 + 'a.rather.long.attribute.key'.length + 4);
    expect(decodeAll(encoder.take()).map((r) => r.kind === 'event' && [r.name, r.attributes])).toEqual([
      ['aaep.output.chunk', attributes],
      ['aaep.output.chunk', attributes],
    ]);
    // A new batch defines its words again, so it reads on its own.
    expect(encoder.record(event(3))).toBe(first);
    expect(decodeOne(encoder.take())).toMatchObject({ name: 'aaep.output.chunk', attributes });
  });

  it('forgets the words a dropped record numbered', () => {
    const encoder = new RecordEncoder();
    encoder.record({ kind: 'event', traceId: TRACE, spanId: SPAN, name: 'kept', time: START, attributes: { shared: 1 } });
    encoder.record({ kind: 'event', traceId: TRACE, spanId: SPAN, name: 'dropped', time: START, attributes: { fresh: 2, shared: 3 } });
    encoder.dropLast();
    encoder.record({ kind: 'event', traceId: TRACE, spanId: SPAN, name: 'after', time: START, attributes: { fresh: 4, shared: 5 } });
    expect(decodeAll(encoder.take()).map((r) => r.kind === 'event' && [r.name, r.attributes])).toEqual([
      ['kept', { shared: 1 }],
      ['after', { fresh: 4, shared: 5 }],
    ]);
  });

  it('sends a long string or one past the batch\'s word bound inline', () => {
    const encoder = new RecordEncoder();
    const long = 'k'.repeat(200);
    const attributes: Record<string, number> = { [long]: 1 };
    for (let i = 0; i < 4200; i++) attributes[`key${i}`] = i;
    encoder.record({ kind: 'started', traceId: TRACE, spanId: SPAN, traceFlags: 1, name: 'many', startTime: START, attributes });
    encoder.record({ kind: 'event', traceId: TRACE, spanId: SPAN, name: 'again', time: START, attributes: { [long]: 2, key4100: 3, key0: 4 } });
    const [started, event] = decodeAll(encoder.take());
    expect(started!.kind === 'started' && Object.keys(started!.attributes)).toHaveLength(OTLP_LIMITS.attributesPerSpan);
    expect(event).toMatchObject({ name: 'again', attributes: { [long]: 2, key4100: 3, key0: 4 } });
  });
});

