/** Builders for span lifecycle records, the translator's input. */
import type { Attributes, SpanEndedRecord, SpanEventRecord, SpanStartedRecord } from '../../src/records.js';

export const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

export function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function started(
  id: number,
  parent: number | undefined,
  attributes: Attributes,
  time: number,
  name = 'span',
): SpanStartedRecord {
  return {
    kind: 'started',
    traceId: TRACE,
    spanId: spanId(id),
    parentSpanId: parent === undefined ? undefined : spanId(parent),
    traceFlags: 1,
    name,
    startTime: time,
    attributes,
  };
}

export function event(id: number, name: string, attributes: Attributes, time: number): SpanEventRecord {
  return { kind: 'event', traceId: TRACE, spanId: spanId(id), name, time, attributes };
}

export function ended(
  start: SpanStartedRecord,
  time: number,
  options: { attributes?: Attributes; error?: string; events?: SpanEventRecord[] } = {},
): SpanEndedRecord {
  return {
    kind: 'ended',
    traceId: start.traceId,
    spanId: start.spanId,
    parentSpanId: start.parentSpanId,
    traceFlags: start.traceFlags,
    name: start.name,
    startTime: start.startTime,
    endTime: time,
    attributes: { ...start.attributes, ...options.attributes },
    status: options.error === undefined ? { code: 0 } : { code: 2, message: options.error },
    events: options.events ?? [],
  };
}
