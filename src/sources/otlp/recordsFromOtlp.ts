import type { AttributeValue, SpanEndedRecord, SpanEventRecord, SpanStartedRecord, StatusCode } from '../../records.js';
import {
  AAEP_SIGNAL,
  AAEP_SIGNAL_EVENT_NAME,
  AAEP_SIGNAL_NAME,
  AAEP_SIGNAL_PARENT_SPAN_ID,
  AAEP_SIGNAL_SESSION_SPAN_ID,
  AAEP_SIGNAL_SPAN_ID,
} from '../../semconv/attributes.js';
import type { LongLike, ProtoAnyValue, ProtoEvent, ProtoKeyValue, ProtoSpan, ProtoTraceRequest } from './otlpProtobuf.js';

/** What one export request holds, as span lifecycle records. */
export interface OtlpRecords {
  /** Finished spans (not signals), each with all its events. */
  readonly ended: SpanEndedRecord[];
  /** Start signals, turned back into the `started` / `event` records they announce, with the signal span's own id. */
  readonly signals: Array<{ readonly id: string; readonly record: SpanStartedRecord | SpanEventRecord }>;
  /** Spans left out because they were invalid, for `partial_success`. */
  readonly rejected: number;
  /** A readable reason for the first rejections. */
  readonly errors: readonly string[];
}

/** Bounds on what one span may bring in; beyond them data is cut, not rejected. */
export const OTLP_LIMITS = {
  attributesPerSpan: 256,
  eventsPerSpan: 1024,
  attributesPerEvent: 64,
  stringChars: 64 * 1024,
  arrayItems: 1024,
} as const;

const HEX_TRACE_ID = /^[0-9a-fA-F]{32}$/;
const HEX_SPAN_ID = /^[0-9a-fA-F]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const NANOS_PER_SECOND = 1_000_000_000n;

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Ids arrive as bytes (protobuf) or hex (JSON); both become lowercase hex. */
function idHex(value: Uint8Array | string | undefined, bytes: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value === '') return '';
    return (bytes === 16 ? HEX_TRACE_ID : HEX_SPAN_ID).test(value) ? value.toLowerCase() : undefined;
  }
  if (value.length === 0) return '';
  return value.length === bytes ? Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex') : undefined;
}

function toBigInt(value: LongLike | number | string | undefined): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return /^\d{1,20}$/.test(value) ? BigInt(value) : undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'object' && typeof value.low === 'number' && typeof value.high === 'number') {
    return (BigInt(value.high >>> 0) << 32n) + BigInt(value.low >>> 0);
  }
  return undefined;
}

/**
 * Nanoseconds since the epoch to milliseconds, computed exactly as the SDK's
 * hrTimeToMilliseconds does from [seconds, nanoseconds], so both sources give the
 * same timestamps and durations to the last bit.
 */
export function nanosToMillis(value: LongLike | number | string | undefined): number | undefined {
  const nanos = toBigInt(value);
  if (nanos === undefined) return undefined;
  return Number(nanos / NANOS_PER_SECOND) * 1e3 + Number(nanos % NANOS_PER_SECOND) / 1e6;
}

function clip(text: string): string {
  return text.length > OTLP_LIMITS.stringChars ? text.slice(0, OTLP_LIMITS.stringChars) : text;
}

function scalar(value: ProtoAnyValue): string | number | boolean | undefined {
  if (hasOwn(value, 'stringValue') && typeof value.stringValue === 'string') return clip(value.stringValue);
  if (hasOwn(value, 'boolValue') && typeof value.boolValue === 'boolean') return value.boolValue;
  if (hasOwn(value, 'intValue')) {
    const int = toSignedNumber(value.intValue);
    return int;
  }
  if (hasOwn(value, 'doubleValue')) {
    const double = Number(value.doubleValue);
    return Number.isFinite(double) ? double : undefined;
  }
  if (hasOwn(value, 'bytesValue') && value.bytesValue !== undefined) {
    return typeof value.bytesValue === 'string' ? clip(value.bytesValue) : Buffer.from(value.bytesValue).toString('base64');
  }
  if (hasOwn(value, 'kvlistValue') && value.kvlistValue) return clip(JSON.stringify(kvlistObject(value.kvlistValue.values ?? [], 0)));
  return undefined;
}

function toSignedNumber(value: LongLike | number | string | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return /^-?\d{1,20}$/.test(value) ? Number(value) : undefined;
  if (value && typeof value === 'object' && typeof value.low === 'number' && typeof value.high === 'number') {
    return value.high * 4294967296 + (value.low >>> 0);
  }
  return undefined;
}

function kvlistObject(values: ProtoKeyValue[], depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const entry of values.slice(0, OTLP_LIMITS.attributesPerSpan)) {
    if (typeof entry?.key !== 'string' || !entry.value) continue;
    const value = entry.value;
    if (hasOwn(value, 'kvlistValue') && value.kvlistValue && depth < 4) {
      object[entry.key] = kvlistObject(value.kvlistValue.values ?? [], depth + 1);
    } else {
      object[entry.key] = attributeValue(value);
    }
  }
  return object;
}

function attributeValue(value: ProtoAnyValue): AttributeValue | undefined {
  if (hasOwn(value, 'arrayValue') && value.arrayValue) {
    const items = (value.arrayValue.values ?? []).slice(0, OTLP_LIMITS.arrayItems).map((item) => (item ? scalar(item) : undefined));
    const defined = items.filter((item): item is string | number | boolean => item !== undefined);
    // Attribute arrays are homogeneous; a mixed one is kept as text.
    const kinds = new Set(defined.map((item) => typeof item));
    if (kinds.size <= 1) return defined as AttributeValue;
    return defined.map(String);
  }
  return scalar(value);
}

function attributesOf(list: ProtoKeyValue[] | null | undefined, limit: number): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  if (!Array.isArray(list)) return attributes;
  let count = 0;
  for (const entry of list) {
    if (count >= limit) break;
    if (typeof entry?.key !== 'string' || entry.value === null || typeof entry.value !== 'object') continue;
    const value = attributeValue(entry.value);
    if (value === undefined) continue;
    attributes[clip(entry.key)] = value;
    count++;
  }
  return attributes;
}

function statusCode(code: number | string | undefined): StatusCode {
  if (code === 2 || code === 'STATUS_CODE_ERROR') return 2;
  if (code === 1 || code === 'STATUS_CODE_OK') return 1;
  return 0;
}

/**
 * Turns a decoded ExportTraceServiceRequest (protobuf message or parsed JSON) into
 * span lifecycle records. Invalid spans are left out and counted; signal spans
 * become the records of the span they announce.
 */
export function recordsFromOtlp(request: ProtoTraceRequest): OtlpRecords {
  const ended: SpanEndedRecord[] = [];
  const signals: OtlpRecords['signals'] = [];
  const errors: string[] = [];
  let rejected = 0;
  const reject = (why: string) => {
    rejected++;
    if (errors.length < 5) errors.push(why);
  };
  if (request === null || typeof request !== 'object') throw new TypeError('an ExportTraceServiceRequest must be an object');
  const resourceSpans = request.resourceSpans ?? [];
  if (!Array.isArray(resourceSpans)) throw new TypeError('resourceSpans must be an array');
  for (const resource of resourceSpans) {
    const scopes = resource?.scopeSpans ?? [];
    if (!Array.isArray(scopes)) throw new TypeError('scopeSpans must be an array');
    for (const scope of scopes) {
      const spans = scope?.spans ?? [];
      if (!Array.isArray(spans)) throw new TypeError('spans must be an array');
      for (const span of spans) {
        if (span === null || typeof span !== 'object') {
          reject('a span is not an object');
          continue;
        }
        convertSpan(span, ended, signals, reject);
      }
    }
  }
  return { ended, signals, rejected, errors };
}

function convertSpan(
  span: ProtoSpan,
  ended: SpanEndedRecord[],
  signals: OtlpRecords['signals'],
  reject: (why: string) => void,
): void {
  const traceId = idHex(span.traceId, 16);
  const spanId = idHex(span.spanId, 8);
  const parentSpanId = span.parentSpanId === undefined || span.parentSpanId === null ? '' : idHex(span.parentSpanId, 8);
  if (traceId === undefined || traceId === '' || traceId === ZERO_TRACE_ID) return reject('invalid traceId: expected 16 bytes (32 hex characters), not all zero');
  if (spanId === undefined || spanId === '' || spanId === ZERO_SPAN_ID) return reject(`invalid spanId in trace ${traceId}: expected 8 bytes (16 hex characters), not all zero`);
  if (parentSpanId === undefined) return reject(`invalid parentSpanId of span ${spanId}: expected 8 bytes (16 hex characters) or empty`);
  const startTime = nanosToMillis(span.startTimeUnixNano);
  const endTime = nanosToMillis(span.endTimeUnixNano);
  if (startTime === undefined || startTime <= 0) return reject(`span ${spanId} has no valid startTimeUnixNano`);
  if (endTime === undefined || endTime < startTime) return reject(`span ${spanId} has no valid endTimeUnixNano at or after its start`);
  if (span.name !== undefined && typeof span.name !== 'string') return reject(`span ${spanId} has a name that is not a string`);
  const attributes = attributesOf(span.attributes, OTLP_LIMITS.attributesPerSpan);
  const traceFlags = typeof span.flags === 'number' ? span.flags & 0xff : 1;
  const parent = parentSpanId === '' ? undefined : parentSpanId;
  const signal = attributes[AAEP_SIGNAL];
  if (signal !== undefined) {
    const record = signalRecord(signal, traceId, attributes, traceFlags, startTime);
    if (record === undefined) return reject(`signal span ${spanId} does not name the span it announces`);
    signals.push({ id: spanId, record });
    return;
  }
  const events: SpanEventRecord[] = [];
  for (const event of (Array.isArray(span.events) ? span.events : []).slice(0, OTLP_LIMITS.eventsPerSpan)) {
    const converted = eventRecord(traceId, spanId, event);
    if (converted !== undefined) events.push(converted);
  }
  ended.push({
    kind: 'ended',
    traceId,
    spanId,
    parentSpanId: parent,
    traceFlags,
    name: clip(span.name ?? ''),
    startTime,
    endTime,
    attributes,
    status: { code: statusCode(span.status?.code), ...(span.status?.message ? { message: clip(span.status.message) } : {}) },
    events,
  });
}

function eventRecord(traceId: string, spanId: string, event: ProtoEvent | null): SpanEventRecord | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const time = nanosToMillis(event.timeUnixNano);
  if (time === undefined || typeof event.name !== 'string') return undefined;
  return { kind: 'event', traceId, spanId, name: clip(event.name), time, attributes: attributesOf(event.attributes, OTLP_LIMITS.attributesPerEvent) };
}

/** A signal span carries the announced span's ids and attributes (or the event's) in its own attributes. */
function signalRecord(
  signal: AttributeValue,
  traceId: string,
  attributes: Record<string, AttributeValue>,
  traceFlags: number,
  time: number,
): SpanStartedRecord | SpanEventRecord | undefined {
  const spanId = attributes[AAEP_SIGNAL_SPAN_ID];
  if (typeof spanId !== 'string' || !HEX_SPAN_ID.test(spanId)) return undefined;
  const own: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(attributes)) if (!key.startsWith(`${AAEP_SIGNAL}`)) own[key] = value;
  if (signal === 'event') {
    const name = attributes[AAEP_SIGNAL_EVENT_NAME];
    if (typeof name !== 'string') return undefined;
    return { kind: 'event', traceId, spanId: spanId.toLowerCase(), name, time, attributes: own };
  }
  if (signal !== 'start') return undefined;
  const parent = attributes[AAEP_SIGNAL_PARENT_SPAN_ID];
  const session = attributes[AAEP_SIGNAL_SESSION_SPAN_ID];
  const name = attributes[AAEP_SIGNAL_NAME];
  return {
    kind: 'started',
    traceId,
    spanId: spanId.toLowerCase(),
    parentSpanId: typeof parent === 'string' && HEX_SPAN_ID.test(parent) ? parent.toLowerCase() : undefined,
    sessionSpanId: typeof session === 'string' && HEX_SPAN_ID.test(session) ? session.toLowerCase() : undefined,
    traceFlags,
    name: typeof name === 'string' ? name : 'span',
    startTime: time,
    attributes: own,
  };
}
