import type { AttributeValue, Attributes, SpanEventRecord, SpanRecord, StatusCode } from '../../records.js';
import { RECORD, VALUE } from './RecordEncoder.js';

/** Reads a batch of records `RecordEncoder` wrote, in order; the bytes may be reused once it returns. */
export function decodeRecords(bytes: Uint8Array, each: (record: SpanRecord) => void): void {
  const cursor = new Cursor(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  while (!cursor.done) each(cursor.record());
}

class Cursor {
  private at = 0;

  constructor(private readonly buffer: Buffer) {}

  get done(): boolean {
    return this.at >= this.buffer.length;
  }

  record(): SpanRecord {
    const kind = this.byte();
    const traceId = this.id()!;
    const spanId = this.id()!;
    if (kind === RECORD.started) {
      const parentSpanId = this.id();
      const sessionSpanId = this.id();
      return { kind: 'started', traceId, spanId, parentSpanId, sessionSpanId, traceFlags: this.byte(), name: this.string(), startTime: this.number(), attributes: this.attributes() };
    }
    if (kind === RECORD.event) return this.event(traceId, spanId);
    if (kind !== RECORD.ended) throw new Error(`unknown record kind ${kind}`);
    const parentSpanId = this.id();
    const traceFlags = this.byte();
    const name = this.string();
    const startTime = this.number();
    const endTime = this.number();
    const attributes = this.attributes();
    const code = this.byte() as StatusCode;
    const message = this.byte() === 1 ? this.string() : undefined;
    const count = this.buffer.readUInt16LE(this.at);
    this.at += 2;
    const events: SpanEventRecord[] = [];
    for (let i = 0; i < count; i++) events.push(this.event(traceId, spanId));
    return { kind: 'ended', traceId, spanId, parentSpanId, traceFlags, name, startTime, endTime, attributes, status: { code, message }, events };
  }

  private event(traceId: string, spanId: string): SpanEventRecord {
    return { kind: 'event', traceId, spanId, name: this.string(), time: this.number(), attributes: this.attributes() };
  }

  private attributes(): Attributes {
    const count = this.buffer.readUInt16LE(this.at);
    this.at += 2;
    const attributes: Record<string, AttributeValue> = {};
    for (let i = 0; i < count; i++) {
      const key = this.string();
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
