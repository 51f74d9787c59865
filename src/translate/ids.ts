/**
 * Identifiers derived from span data, so the same span yields the same ids in the
 * in-process processor and in the OTLP receiver, and a re-delivered span yields
 * no new id.
 */

export function sessionIdFor(traceId: string, sessionSpanId: string): string {
  return `sess_${traceId}${sessionSpanId}`;
}

export function toolCallIdFor(spanId: string): string {
  return `call_${spanId}`;
}

export function outputIdFor(spanId: string): string {
  return `out_${spanId}`;
}

/**
 * `evt_` + trace id + span id + one letter for the event kind + the ordinal in
 * base 36: unique because a span belongs to one session and emits each kind in
 * order, and at most 64 characters as the envelope requires. Built by
 * concatenation because it runs for every event on the agent's thread.
 */
export function eventIdFor(traceId: string, spanId: string, kind: EventKindCode, ordinal: number): string {
  return `evt_${traceId}${spanId}${kind}${ordinal.toString(36)}`;
}

/** One letter per kind of event a span can emit. */
export const EVENT_KIND = {
  started: 'a',
  state: 'b',
  toolInvoked: 'c',
  toolCompleted: 'd',
  output: 'e',
  progress: 'f',
  confirmation: 'g',
  terminal: 'h',
  clarification: 'i',
  handoff: 'j',
} as const;

export type EventKindCode = (typeof EVENT_KIND)[keyof typeof EVENT_KIND];

/** W3C traceparent of a span: lets a user jump from an announcement to the trace. */
export function traceparentFor(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The AAEP `session_id` a session span gets, known as soon as the span exists. */
export function sessionIdOfSpan(span: { spanContext(): { traceId: string; spanId: string } }): string {
  const { traceId, spanId } = span.spanContext();
  return sessionIdFor(traceId, spanId);
}
