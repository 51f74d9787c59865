import type { AttributeValue, Attributes, SpanEventRecord, SpanRecord, StatusCode } from '../../records.js';
import { RECORD, VALUE, WORD } from './RecordEncoder.js';

/** What a followed span's start said, kept by the reader until its end (see RecordEncoder's handles). */
export interface StartedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly traceFlags: number;
}

/**
 * Reads a batch of records `RecordEncoder` wrote, in order; the bytes may be reused once it
 * returns. `spans` holds the followed spans between batches (the reader's one piece of state):
 * records of a handle it does not hold are skipped.
 */
export function decodeRecords(bytes: Uint8Array, each: (record: SpanRecord) => void, spans = new Map<number, StartedSpan>()): void {
  const cursor = new Cursor(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), spans);
  while (!cursor.done) {
    const record = cursor.record();
    if (record !== undefined) each(record);
  }
}

class Cursor {
  private at = 0;
  private readonly words: string[] = [];

  constructor(
    private readonly buffer: Buffer,
    private readonly spans: Map<number, StartedSpan>,
  ) {}

  get done(): boolean {
    return this.at >= this.buffer.length;
  }

  record(): SpanRecord | undefined {
    const kind = this.byte();
    const handle = this.buffer.readUInt32LE(this.at);
    this.at += 4;
    if (kind === RECORD.started) {
      const traceId = this.id()!;
      const spanId = this.id()!;
      const parentSpanId = this.id();
      const sessionSpanId = this.id();
      const traceFlags = this.byte();
      if (handle !== 0) this.spans.set(handle, { traceId, spanId, parentSpanId, traceFlags });
      return { kind: 'started', traceId, spanId, parentSpanId, sessionSpanId, traceFlags, name: this.word(), startTime: this.number(), attributes: this.attributes() };
    }
    if (kind !== RECORD.event && kind !== RECORD.ended) throw new Error(`unknown record kind ${kind}`);
    const known = handle === 0 ? undefined : this.spans.get(handle);
    const traceId = handle === 0 ? this.id()! : known?.traceId;
    const spanId = handle === 0 ? this.id()! : known?.spanId;
    if (kind === RECORD.event) {
      const event = this.event(traceId ?? '', spanId ?? '');
      return traceId === undefined ? undefined : event;
    }
    if (handle !== 0) this.spans.delete(handle);
    const parentSpanId = handle === 0 ? this.id() : known?.parentSpanId;
    const traceFlags = handle === 0 ? this.byte() : (known?.traceFlags ?? 0);
    const name = this.word();
    const startTime = this.number();
    const endTime = this.number();
    const attributes = this.attributes();
    const code = this.byte() as StatusCode;
    const message = this.byte() === 1 ? this.string() : undefined;
    const count = this.buffer.readUInt16LE(this.at);
    this.at += 2;
    const events: SpanEventRecord[] = [];
    for (let i = 0; i < count; i++) events.push(this.event(traceId ?? '', spanId ?? ''));
    if (traceId === undefined || spanId === undefined) return undefined;
    return { kind: 'ended', traceId, spanId, parentSpanId, traceFlags, name, startTime, endTime, attributes, status: { code, message }, events };
  }

  private event(traceId: string, spanId: string): SpanEventRecord {
    return { kind: 'event', traceId, spanId, name: this.word(), time: this.number(), attributes: this.attributes() };
  }

  private attributes(): Attributes {
    const count = this.buffer.readUInt16LE(this.at);
    this.at += 2;
    const attributes: Record<string, AttributeValue> = {};
    for (let i = 0; i < count; i++) {
      const key = this.word();
      const tag = this.byte();
      attributes[key] =
        tag === VALUE.string ? this.string()
        : tag === VALUE.number ? this.number()
        : tag === VALUE.true ? true
        : tag === VALUE.false ? false
        : (JSON.parse(this.string()) as AttributeValue);
    }
    return attributes;
  }

  private word(): string {
    const code = this.buffer.readUInt16LE(this.at);
    this.at += 2;
    if (code === WORD.inline) return this.string();
    if (code !== WORD.define) return this.words[code]!;
    const word = this.string();
    this.words.push(word);
    return word;
  }

  private id(): string | undefined {
    const length = this.byte();
    if (length === 0) return undefined;
    this.at += length;
    return this.buffer.toString('latin1', this.at - length, this.at);
  }

  private string(): string {
    const length = this.buffer.readUInt32LE(this.at);
    this.at += 4 + length;
    return this.buffer.toString('utf8', this.at - length, this.at);
  }

  private number(): number {
    this.at += 8;
    return this.buffer.readDoubleLE(this.at - 8);
  }

  private byte(): number {
    return this.buffer[this.at++]!;
  }
}
