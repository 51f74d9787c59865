import type { HrTime } from '@opentelemetry/api';
import type { Attributes, SpanRecord } from '../../records.js';
import { OTLP_LIMITS } from '../otlp/recordsFromOtlp.js';

/** Record kinds and attribute value tags on the wire between the agent's thread and the worker. */
export const RECORD = { started: 1, event: 2, ended: 3 } as const;
export const VALUE = { string: 1, number: 2, true: 3, false: 4, array: 5 } as const;

/** What the encoder reads of an ended SDK span (a ReadableSpan has it all). */
export interface EndedSpan {
  spanContext(): { readonly traceId: string; readonly spanId: string; readonly traceFlags: number };
  readonly parentSpanContext?: { readonly spanId: string } | undefined;
  readonly name: string;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: Attributes;
  readonly status: { readonly code: number; readonly message?: string | undefined };
}

/** A span event as the SDK keeps it. */
export interface CapturedEvent {
  readonly name: string;
  readonly time: HrTime;
  readonly attributes?: Attributes | undefined;
}

const INITIAL_BYTES = 64 * 1024;

/** Strings up to this length are copied in JavaScript when ASCII: cheaper than a call into Buffer's native code. */
const SHORT_STRING = 48;

/** Word codes: an index into the batch's words, or one of these. */
export const WORD = { define: 0xfffe, inline: 0xffff } as const;
/** Words (attribute keys, span and event names) a batch numbers; longer ones or more go inline. */
const MAX_WORDS = 4096;
const MAX_WORD_LENGTH = 128;

/**
 * Writes span lifecycle records as compact bytes, straight from what the SDK hands
 * the processor: no record object is built on the agent's thread. Records collect
 * in a batch (`take` hands it over) and are read back by `decodeRecords`.
 *
 * What keeps it cheap: a span the caller follows has a handle (a number), and only
 * its start carries its ids; handle 0 means "ids follow". Attribute keys and names
 * are numbered within a batch, so a key is copied once a batch, not once a record.
 * Strings are UTF-8 with a 32-bit length, times are milliseconds as doubles, arrays
 * travel as JSON. The same bounds as OTLP ingest apply (OTLP_LIMITS), so both span
 * sources give the translator the same input. Each method returns the size of its record.
 */
export class RecordEncoder {
  private scratch = Buffer.allocUnsafe(INITIAL_BYTES);
  private at = 0;
  private recordStart = 0;
  private readonly words = new Map<string, number>();
  private wordList: string[] = [];
  private wordsAtRecordStart = 0;

  /** Bytes batched so far. */
  get size(): number {
    return this.at;
  }

  /** The batch so far, a view valid until the next record; the encoder starts a new batch. */
  take(): Uint8Array {
    const batch = this.scratch.subarray(0, this.at);
    this.at = 0;
    this.words.clear();
    this.wordList = [];
    return batch;
  }

  /** Takes back the record just written (one too large to send), with the words it numbered. */
  dropLast(): void {
    this.at = this.recordStart;
    for (const word of this.wordList.splice(this.wordsAtRecordStart)) this.words.delete(word);
  }

  started(
    handle: number,
    traceId: string,
    spanId: string,
    parentSpanId: string | undefined,
    sessionSpanId: string | undefined,
    traceFlags: number,
    name: string,
    startTime: number,
    attributes: Attributes,
  ): number {
    this.begin(RECORD.started, handle);
    this.id(traceId);
    this.id(spanId);
    this.id(parentSpanId);
    this.id(sessionSpanId);
    this.byte(traceFlags);
    this.word(name);
    this.number(startTime);
    this.attributes(attributes, OTLP_LIMITS.attributesPerSpan);
    return this.end();
  }

  /** An event of a followed span (`handle`), or with handle 0 of the span these ids name. */
  event(handle: number, traceId: string, spanId: string, event: CapturedEvent): number {
    this.identify(RECORD.event, handle, traceId, spanId);
    this.timedEvent(event.name, hrMillis(event.time), event.attributes);
    return this.end();
  }

  /** A span's end, read from the SDK span; `events` are those not already sent as they happened. */
  ended(handle: number, span: EndedSpan, events: readonly CapturedEvent[]): number {
    const { traceId, spanId, traceFlags } = span.spanContext();
    const times = [hrMillis(span.startTime), hrMillis(span.endTime)] as const;
    this.endedHead(handle, traceId, spanId, span.parentSpanContext?.spanId, traceFlags, span.name, times, span.attributes, span.status, events.length);
    for (let i = 0; i < events.length && i < OTLP_LIMITS.eventsPerSpan; i++) {
      const event = events[i]!;
      this.timedEvent(event.name, hrMillis(event.time), event.attributes);
    }
    return this.end();
  }

  /** A record from a source that builds them itself (aaep-otel/openai-agents); `handle` as for the other methods. */
  record(record: SpanRecord, handle = 0): number {
    switch (record.kind) {
      case 'started':
        return this.started(handle, record.traceId, record.spanId, record.parentSpanId, record.sessionSpanId, record.traceFlags, record.name, record.startTime, record.attributes);
      case 'event':
        this.identify(RECORD.event, handle, record.traceId, record.spanId);
        this.timedEvent(record.name, record.time, record.attributes);
        return this.end();
      case 'ended': {
        const { events } = record;
        this.endedHead(handle, record.traceId, record.spanId, record.parentSpanId, record.traceFlags, record.name, [record.startTime, record.endTime], record.attributes, record.status, events.length);
        for (let i = 0; i < events.length && i < OTLP_LIMITS.eventsPerSpan; i++) this.timedEvent(events[i]!.name, events[i]!.time, events[i]!.attributes);
        return this.end();
      }
    }
  }

  private endedHead(
    handle: number,
    traceId: string,
    spanId: string,
    parentSpanId: string | undefined,
    traceFlags: number,
    name: string,
    times: readonly [number, number],
    attributes: Attributes,
    status: { readonly code: number; readonly message?: string | undefined },
    eventCount: number,
  ): void {
    // What a followed span's start said (its parent, its flags) is not said again.
    if (this.identify(RECORD.ended, handle, traceId, spanId)) {
      this.id(parentSpanId);
      this.byte(traceFlags);
    }
    this.word(name);
    this.number(times[0]);
    this.number(times[1]);
    this.attributes(attributes, OTLP_LIMITS.attributesPerSpan);
    this.byte(status.code);
    this.optionalString(status.message);
    this.ensure(2);
    this.scratch.writeUInt16LE(Math.min(eventCount, OTLP_LIMITS.eventsPerSpan), this.at);
    this.at += 2;
  }

  private begin(kind: number, handle: number): void {
    this.recordStart = this.at;
    this.wordsAtRecordStart = this.wordList.length;
    this.ensure(5);
    this.scratch[this.at] = kind;
    this.scratch.writeUInt32LE(handle, this.at + 1);
    this.at += 5;
  }

  /** Starts a record of a span known by its handle, or by its ids (handle 0); true when the ids were written. */
  private identify(kind: number, handle: number, traceId: string, spanId: string): boolean {
    this.begin(kind, handle);
    if (handle !== 0) return false;
    this.id(traceId);
    this.id(spanId);
    return true;
  }

  private end(): number {
    return this.at - this.recordStart;
  }

  private timedEvent(name: string, time: number, attributes: Attributes | undefined): void {
    this.word(name);
    this.number(time);
    this.attributes(attributes ?? {}, OTLP_LIMITS.attributesPerEvent);
  }

  private attributes(attributes: Attributes, max: number): void {
    this.ensure(2);
    const countAt = this.at;
    this.at += 2;
    let count = 0;
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      if (count === max) break;
      count++;
      this.word(key);
      if (typeof value === 'string') {
        this.byte(VALUE.string);
        this.string(value);
      } else if (typeof value === 'number') {
        this.byte(VALUE.number);
        this.number(value);
      } else if (typeof value === 'boolean') {
        this.byte(value ? VALUE.true : VALUE.false);
      } else {
        this.byte(VALUE.array);
        this.string(JSON.stringify(value.slice(0, OTLP_LIMITS.arrayItems)));
      }
    }
    this.scratch.writeUInt16LE(count, countAt);
  }

  /** An id, or the empty string for none: ASCII hex, one byte of length. */
  private id(id: string | undefined): void {
    const text = id === undefined ? '' : id.length > 255 ? id.slice(0, 255) : id;
    this.ensure(1 + text.length);
    const scratch = this.scratch;
    scratch[this.at++] = text.length;
    // Hex: one byte a character.
    for (let i = 0; i < text.length; i++) scratch[this.at++] = text.charCodeAt(i) & 0xff;
  }

  /** A string that recurs (a key, a name): its number in this batch, else defined here. */
  private word(text: string): void {
    this.ensure(2);
    const known = this.words.get(text);
    if (known !== undefined) {
      this.scratch.writeUInt16LE(known, this.at);
      this.at += 2;
      return;
    }
    const numbered = text.length <= MAX_WORD_LENGTH && this.wordList.length < MAX_WORDS;
    this.scratch.writeUInt16LE(numbered ? WORD.define : WORD.inline, this.at);
    this.at += 2;
    this.string(text);
    if (!numbered) return;
    this.words.set(text, this.wordList.length);
    this.wordList.push(text);
  }

  private string(text: string): void {
    const clipped = text.length > OTLP_LIMITS.stringChars ? text.slice(0, OTLP_LIMITS.stringChars) : text;
    this.ensure(4 + clipped.length * 3);
    const start = this.at + 4;
    let length = -1;
    if (clipped.length <= SHORT_STRING) {
      const scratch = this.scratch;
      let i = 0;
      for (; i < clipped.length; i++) {
        const code = clipped.charCodeAt(i);
        if (code > 0x7f) break;
        scratch[start + i] = code;
      }
      if (i === clipped.length) length = i;
    }
    if (length < 0) length = this.scratch.write(clipped, start, 'utf8');
    this.scratch.writeUInt32LE(length, this.at);
    this.at = start + length;
  }

  private byte(value: number): void {
    this.ensure(1);
    this.scratch[this.at++] = value;
  }

  private optionalString(text: string | undefined): void {
    this.byte(text === undefined ? 0 : 1);
    if (text !== undefined) this.string(text);
  }

  private number(value: number): void {
    this.ensure(8);
    this.scratch.writeDoubleLE(value, this.at);
    this.at += 8;
  }

  private ensure(bytes: number): void {
    if (this.at + bytes <= this.scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.at + bytes));
    this.scratch.copy(grown, 0, 0, this.at);
    this.scratch = grown;
  }
}

export function hrMillis(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}
