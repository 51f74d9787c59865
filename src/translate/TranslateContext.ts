import type { AaepEvent, Producer } from '../protocol/index.js';
import { AAEP_CONTEXT } from '../protocol/index.js';
import { eventIdFor, traceparentFor, type EventKindCode } from './ids.js';
import { isoTimestamp } from './isoTimestamp.js';
import { sayFields } from './messages/EventPhrases.js';
import type { Payload, SessionState, SpanInfo } from './SessionState.js';
import type { ReplyRequest } from './TranslatorOptions.js';

/**
 * What the parts of the translator need from it: a way to put an event on a
 * session's stream, and where to report. The translator builds one and passes it.
 */
export interface TranslateContext {
  /** Stamps the envelope (id, sequence, timestamp) and emits; returns the event for re-sending. */
  publish(
    session: SessionState,
    source: SpanInfo,
    kind: EventKindCode,
    time: number,
    urgency: 'background' | 'normal' | 'critical',
    payload: Payload,
  ): AaepEvent;
  readonly onViolation: (message: string) => void;
  readonly onReplyRequested: ((request: ReplyRequest) => void) | undefined;
  /** Open sessions with a question waiting, so a catch-up finds them without visiting every session. */
  readonly asking: Set<SessionState>;
}

export const AAEP_VERSION = '0.1.0-draft';

/** The context of one translator: `publish` stamps the envelope every event shares and emits it. */
export function translateContext(
  producer: Producer,
  emit: (event: AaepEvent, owner: string | undefined) => void,
  asking: Set<SessionState>,
  onViolation: (message: string) => void,
  onReplyRequested: ((request: ReplyRequest) => void) | undefined,
): TranslateContext {
  return {
    onViolation,
    onReplyRequested,
    asking,
    publish(session, source, kind, time, urgency, payload) {
      // Timestamps never go backwards within a session (spec §3.2.5), even when spans end out of order.
      if (time > session.lastTime) session.lastTime = time;
      const ordinal = source.ordinals[kind] ?? 0;
      source.ordinals[kind] = ordinal + 1;
      source.correlation ??= traceparentFor(session.traceId, source.spanId, source.traceFlags);
      const event = sayFields({
        '@context': AAEP_CONTEXT,
        aaep_version: AAEP_VERSION,
        event_id: eventIdFor(session.traceId, source.spanId, kind, ordinal),
        session_id: session.sessionId,
        sequence_number: session.sequence++,
        timestamp: isoTimestamp(Math.floor(session.lastTime)),
        producer,
        urgency,
        localization_hints: session.localization,
        correlation_id: source.correlation,
        ...payload,
      }, session.phraseLanguage) as AaepEvent;
      emit(event, session.principal);
      return event;
    },
  };
}
