import type { Producer } from '../protocol/index.js';
import type { SpanEndedRecord, SpanEventRecord, SpanRecord, SpanStartedRecord } from '../records.js';
import {
  AAEP_AGENT_NAME,
  AAEP_EVENT_CLARIFICATION_REQUESTED,
  AAEP_EVENT_CLARIFICATION_RESOLVED,
  AAEP_EVENT_CONFIRMATION_REQUESTED,
  AAEP_EVENT_CONFIRMATION_RESOLVED,
  AAEP_EVENT_HANDOFF_REQUESTED,
  AAEP_EVENT_OUTPUT_CHUNK,
  AAEP_EVENT_PROGRESS,
  AAEP_EVENT_TOOL_CALL_ANNOUNCED,
  AAEP_LANGUAGE,
  AAEP_LLM_MODEL,
  AAEP_OUTPUT_TEXT,
  GEN_AI_AGENT_NAME,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_RESPONSE_MODEL,
  AAEP_SESSION_REQUESTED_BY,
  ENDUSER_ID,
} from '../semconv/attributes.js';
import type { CatchUpSession } from '../hub/CatchUp.js';
import { classifySpan, type SpanRole } from '../semconv/classifySpan.js';
import { normalizeAttributes } from '../semconv/normalizeAttributes.js';
import { readString, readText } from '../semconv/readAttributes.js';
import { EVENT_KIND, sessionIdFor } from './ids.js';
import { truncate } from './textShape.js';
import { redactText } from './redact/redact.js';
import { Tally } from '../Tally.js';
import { LimitEpisode, resolveLimit, type LimitReached, type StoreUsage } from '../limits.js';
import { CLOSED, REFUSED, newSessionState, type SessionState, type SpanInfo, type TerminalPayload } from './SessionState.js';
import type { TranslatorOptions } from './TranslatorOptions.js';
import { translateContext, type TranslateContext } from './TranslateContext.js';
import { RetiredSpans } from './RetiredSpans.js';
import { changeState } from './changeState.js';
import { appendOutput, endLlm, finishOutput } from './OutputStream.js';
import { closeOpenTools, endTool, startTool, toolCallAnnounced } from './ToolCalls.js';
import { answered, clarificationRequested, clarificationResolved, confirmationRequested, confirmationResolved } from './HumanInTheLoop.js';
import { handoffRequested, progress } from './ProgressAndHandoff.js';
import { catchUpSnapshot, sessionsToCatchUp, snapshotOf, type SessionSnapshot } from './CatchUpSnapshot.js';
import { sessionStarted } from './SessionStarted.js';
import { sessionOutcome } from './SessionOutcome.js';
import { phrase } from './messages/Phrase.js';

/**
 * Turns span lifecycle records into a legal AAEP stream: one state machine per
 * session (spec chapter 4 §4.5, appendix A). Sources call `handle` in the order the
 * span life happened; everything else (ids, order, summaries, redaction) is here.
 */
export class Translator {
  private readonly producer: Producer;
  private readonly language: string;
  private readonly onSessionClosed: (sessionId: string) => void;
  /** What the parts (outputs, tools, questions, progress) publish through. */
  private readonly context: TranslateContext;
  /** Spans that belong to a session, keyed by trace id + span id. */
  private readonly spans = new Map<string, SpanInfo>();
  private readonly sessions = new Set<SessionState>();
  private readonly asking = new Set<SessionState>();
  private readonly retired = new RetiredSpans();
  private readonly maxSessions: number;
  private readonly maxSpansPerSession: number;
  private readonly onLimit: (reached: LimitReached) => void;
  private readonly sessionBound: LimitEpisode;
  private readonly openSessions: Tally;
  private refused = 0;

  constructor(options: TranslatorOptions) {
    // The agent name option is on every event; it is text like any other.
    const agentName = options.producer.agent_name;
    this.producer = agentName === undefined ? options.producer : { ...options.producer, agent_name: redactText(agentName) };
    this.language = options.language ?? 'en';
    this.onSessionClosed = options.onSessionClosed ?? (() => {});
    this.context = translateContext(this.producer, options.emit, this.asking, options.onViolation ?? (() => {}), options.onReplyRequested);
    this.maxSessions = resolveLimit('sessions', options.maxSessions);
    this.openSessions = options.openSessions ?? new Tally();
    this.maxSpansPerSession = resolveLimit('spansPerSession', options.maxSpansPerSession);
    this.onLimit = options.onLimit ?? (() => {});
    this.sessionBound = new LimitEpisode(() =>
      this.onLimit({
        limit: 'sessions',
        bound: this.maxSessions,
        message: `${this.maxSessions} sessions are open, the limit (AAEP_MAX_SESSIONS); new sessions are not translated until some end.`,
      }),
    );
  }

  /** Spans refused so far at a bound (sessions beyond the limit, spans beyond a session's limit, and their descendants). */
  get refusedSpanCount(): number {
    return this.refused;
  }

  /** Open sessions and open spans followed, against their bounds. */
  get usage(): { sessions: StoreUsage; spans: StoreUsage & { perSession: number } } {
    return {
      sessions: { size: this.sessions.size, limit: this.maxSessions },
      // Every open session, and the spans outliving closed ones, may hold up to the per-session bound.
      spans: { size: this.spans.size, limit: (this.maxSessions + 1) * this.maxSpansPerSession, perSession: this.maxSpansPerSession },
    };
  }

  /** Number of sessions whose terminal event has not been emitted yet. */
  get openSessionCount(): number {
    return this.sessions.size;
  }

  /** Number of spans tracked (open spans of open or recently closed sessions). */
  get trackedSpanCount(): number {
    return this.spans.size;
  }

  handle(record: SpanRecord): void {
    switch (record.kind) {
      case 'started':
        this.onStarted(withConventions(record));
        break;
      case 'event':
        this.onEvent(record);
        break;
      case 'ended':
        this.onEnded(withConventions(record));
        break;
    }
  }

  /** The open session a span belongs to, with the id of its root span. */
  sessionOf(traceId: string, spanId: string): { sessionId: string; rootSpanId: string } | undefined {
    const session = this.lookup(traceId, spanId)?.session;
    return session === undefined || session.closed ? undefined : { sessionId: session.sessionId, rootSpanId: session.rootSpanId };
  }

  /** Whether the translator has seen this span start, open or recently ended. */
  knows(traceId: string, spanId: string): boolean {
    return this.lookup(traceId, spanId) !== undefined || this.retired.sessionOf(traceId, spanId) !== undefined;
  }

  /** Whether a span is part of a session, so a source can skip work for the rest. */
  isTracked(traceId: string, spanId: string): boolean {
    return this.lookup(traceId, spanId) !== undefined;
  }

  /**
   * Ends every open session with `agent.session.cancelled` (by `system`), so
   * subscribers are not left waiting when the producer shuts down.
   */
  cancelAll(time: number, reason: string): void {
    for (const session of [...this.sessions]) {
      this.closeSession(session, time, () => ({
        type: 'aaep:agent.session.cancelled',
        cancelled_by: 'system',
        cancellation_reason: reason,
        summary_terse: phrase.stopped(),
        summary_normal: phrase.shuttingDown(session.agentName),
      }));
    }
  }

  /**
   * Where each open session stands, for a subscriber that joins mid-session or
   * whose resume point aged out (spec §8.7, B.1.5): events each session already
   * emitted, re-sent with their own event_id and sequence_number (CatchUpSnapshot.ts).
   */
  catchUp(sessionFilter: string | undefined, maxSessions: number, now = Date.now(), hears?: (owner: string | undefined) => boolean): CatchUpSession[] {
    let chosen: SessionState[];
    const heard = (session: SessionState) => hears === undefined || hears(session.principal);
    if (sessionFilter !== undefined) {
      const session = this.openSessionById(sessionFilter);
      chosen = session !== undefined && heard(session) ? [session] : [];
    } else if (hears === undefined) {
      chosen = sessionsToCatchUp(this.asking, this.sessions, maxSessions, now);
    } else {
      chosen = sessionsToCatchUp(new Set([...this.asking].filter(heard)), new Set([...this.sessions].filter(heard)), maxSessions, now);
    }
    return chosen.map((session) => ({ sessionId: session.sessionId, events: catchUpSnapshot(session, now) }));
  }

  /** Where an open session stands, for a catch-up served by another thread; undefined once it closed. */
  snapshot(sessionId: string): SessionSnapshot | undefined {
    const session = this.openSessionById(sessionId);
    return session === undefined ? undefined : snapshotOf(session);
  }

  /** A catch-up served elsewhere re-sent the session's questions stamped `time`: its later events are stamped no earlier. */
  restamp(sessionId: string, time: number): void {
    const session = this.openSessionById(sessionId);
    if (session !== undefined) session.lastTime = Math.max(session.lastTime, time);
  }

  /** A session id names its root span, tracked while the session is open. */
  private openSessionById(sessionId: string): SessionState | undefined {
    const session = this.lookup(sessionId.slice(5, 37), sessionId.slice(37))?.session;
    return session !== undefined && !session.closed && session.sessionId === sessionId ? session : undefined;
  }

  /**
   * Spans are keyed by span id alone (no string building on the hot path); the
   * trace id is checked on lookup, so a colliding id from another trace is a miss.
   */
  private lookup(traceId: string, spanId: string): SpanInfo | undefined {
    const info = this.spans.get(spanId);
    return info !== undefined && info.traceId === traceId ? info : undefined;
  }

  private onStarted(record: SpanStartedRecord): void {
    // Started already, or already over (a source that delivers a span twice), or refused before (refused again).
    if (this.spans.has(record.spanId)) return;
    const seen = this.retired.sessionOf(record.traceId, record.spanId);
    if (seen === REFUSED) this.refused++;
    if (seen !== undefined) return;
    const role = classifySpan(record.attributes);
    const parentId = record.parentSpanId;
    const parent: SessionState | undefined =
      (parentId === undefined
        ? undefined
        : (this.lookup(record.traceId, parentId)?.session ?? this.retired.sessionOf(record.traceId, parentId))) ??
      (record.sessionSpanId === undefined
        ? undefined
        : (this.lookup(record.traceId, record.sessionSpanId)?.session ?? this.retired.sessionOf(record.traceId, record.sessionSpanId)));
    // Under a refused span, a span is refused too: it is not followed at all.
    if (parent === REFUSED) return this.refuse(record);
    if (parent === undefined) {
      // An llm or tool span outside any session anchors a session of its own,
      // so a lone framework call is still heard.
      if (role === undefined) return;
      if (!this.openSessions.tryAdd(1, this.maxSessions)) {
        this.sessionBound.refused();
        return this.refuse(record);
      }
      const session = this.openSession(record, role === 'session' ? undefined : role);
      const info = session.root!;
      if (role !== 'session') this.startRole(info, record);
      return;
    }
    // A nested session span (a sub-agent) is part of the enclosing session's stream;
    // a span under a finished session is followed only until it ends, silently.
    const session = parent.closed ? CLOSED : parent;
    if (session.spanCount >= this.maxSpansPerSession) {
      if (!session.spansRefused) {
        session.spansRefused = true;
        this.onLimit({
          limit: 'spansPerSession',
          bound: this.maxSpansPerSession,
          traceId: record.traceId,
          ...(session !== CLOSED && { sessionId: session.sessionId }),
          message: `Session ${session === CLOSED ? '(ended)' : session.sessionId} has ${this.maxSpansPerSession} open spans, the limit (AAEP_MAX_SPANS_PER_SESSION); its further spans are not translated.`,
        });
      }
      return this.refuse(record);
    }
    const info = this.track(session, role === 'session' ? undefined : role, record);
    if (!parent.closed) this.startRole(info, record);
  }

  /** Remembers a span as refused (bounded, with the recently ended), so its end and its children are refused quietly. */
  private refuse(record: SpanStartedRecord): void {
    this.refused++;
    this.retired.retire(record.spanId, record.traceId, REFUSED.handle);
  }

  private onEvent(record: SpanEventRecord): void {
    const info = this.lookup(record.traceId, record.spanId);
    if (info === undefined || info.session.closed) return;
    info.eventsSeen++;
    this.spanEvent(info, record);
  }

  private onEnded(record: SpanEndedRecord): void {
    let info = this.lookup(record.traceId, record.spanId);
    // A span delivered twice (an exporter's retry) has already been translated (or refused: counted at its start).
    if (info === undefined && this.retired.sessionOf(record.traceId, record.spanId) !== undefined) return;
    if (info === undefined) {
      // A source that only sees finished spans (OTLP without start signals).
      this.onStarted({ ...record, kind: 'started' });
      info = this.lookup(record.traceId, record.spanId);
      if (info === undefined) return;
    }
    this.spans.delete(record.spanId);
    const session = info.session;
    session.spanCount--;
    this.retired.retire(record.spanId, info.traceId, session.handle);
    if (session.closed) return;
    // A source that delivered events live lists them again at the end: those are skipped.
    for (let i = info.eventsSeen; i < record.events.length; i++) this.spanEvent(info, record.events[i]!);
    // A question whose span ended unanswered can no longer be answered.
    if (info.confirmation !== undefined) answered(this.context, session, info.confirmation.token);
    if (info.clarification !== undefined) answered(this.context, session, info.clarification.token);
    if (info.role === 'llm') endLlm(this.context, info, record);
    else if (info.role === 'tool') endTool(this.context, info, record);
    if (record.spanId === session.rootSpanId) this.closeSession(session, record.endTime, () => sessionOutcome(session, record));
    else finishOutput(this.context, info, record.endTime);
  }

  private openSession(record: SpanStartedRecord, rootRole: SpanRole | undefined): SessionState {
    const attrs = record.attributes;
    const language = readString(attrs, AAEP_LANGUAGE) ?? this.language;
    const agentName = readString(attrs, AAEP_AGENT_NAME, GEN_AI_AGENT_NAME) ?? this.producer.agent_name;
    const session = newSessionState({
      sessionId: sessionIdFor(record.traceId, record.spanId),
      traceId: record.traceId,
      rootSpanId: record.spanId,
      startTime: record.startTime,
      agentName: agentName === undefined ? phrase.defaultAgentName() : truncate(redactText(agentName), 256),
      language,
      principal: readString(attrs, ENDUSER_ID, AAEP_SESSION_REQUESTED_BY),
    });
    session.handle.session = session;
    this.sessions.add(session);
    const root = this.track(session, rootRole, record);
    session.root = root;
    session.started = this.context.publish(session, root, EVENT_KIND.started, record.startTime, 'normal', sessionStarted(session, attrs));
    return session;
  }

  private track(session: SessionState, role: SpanRole | undefined, record: SpanStartedRecord): SpanInfo {
    const info: SpanInfo = {
      session,
      traceId: record.traceId,
      role,
      spanId: record.spanId,
      traceFlags: record.traceFlags,
      name: record.name,
      ordinals: {},
      eventsSeen: 0,
    };
    this.spans.set(record.spanId, info);
    session.spanCount++;
    return info;
  }

  private startRole(info: SpanInfo, record: SpanStartedRecord): void {
    if (info.role === 'llm') this.startLlm(info, record);
    else if (info.role === 'tool') startTool(this.context, info, record);
  }

  private startLlm(info: SpanInfo, record: SpanStartedRecord): void {
    const model = readString(record.attributes, AAEP_LLM_MODEL, GEN_AI_REQUEST_MODEL, GEN_AI_RESPONSE_MODEL);
    changeState(this.context, info, 'thinking', record.startTime, model ? phrase.model(truncate(redactText(model), 64)) : undefined);
  }

  private spanEvent(info: SpanInfo, record: SpanEventRecord): void {
    switch (record.name) {
      case AAEP_EVENT_OUTPUT_CHUNK: {
        const text = readText(record.attributes, AAEP_OUTPUT_TEXT);
        if (text !== undefined) appendOutput(this.context, info, text, record.time);
        break;
      }
      case AAEP_EVENT_PROGRESS:
        progress(this.context, info, record);
        break;
      case AAEP_EVENT_TOOL_CALL_ANNOUNCED:
        toolCallAnnounced(this.context, info, record);
        break;
      case AAEP_EVENT_CONFIRMATION_REQUESTED:
        confirmationRequested(this.context, info, record);
        break;
      case AAEP_EVENT_CONFIRMATION_RESOLVED:
        confirmationResolved(this.context, info, record);
        break;
      case AAEP_EVENT_CLARIFICATION_REQUESTED:
        clarificationRequested(this.context, info, record);
        break;
      case AAEP_EVENT_CLARIFICATION_RESOLVED:
        clarificationResolved(this.context, info, record);
        break;
      case AAEP_EVENT_HANDOFF_REQUESTED:
        handoffRequested(this.context, info, record);
        break;
    }
  }

  /**
   * Closes whatever the session still has open (outputs get their complete chunk,
   * abandoned tools a `timeout`), then emits the single terminal event and frees the
   * session. Spans still open stay tracked only until they end, and emit nothing.
   */
  private closeSession(
    session: SessionState,
    time: number,
    terminal: () => TerminalPayload,
  ): void {
    for (const info of session.open) finishOutput(this.context, info, time);
    closeOpenTools(this.context, session, time);
    const payload = terminal();
    const urgency = payload.type === 'aaep:agent.session.errored' ? 'critical' : 'normal';
    this.context.publish(session, session.root!, EVENT_KIND.terminal, time, urgency, payload);
    session.closed = true;
    session.handle.session = undefined;
    this.sessions.delete(session);
    this.openSessions.add(-1);
    this.sessionBound.observe(this.openSessions.size, this.maxSessions);
    this.asking.delete(session);
    this.onSessionClosed(session.sessionId);
  }
}

/** The record with framework conventions mapped onto aaep.* (the same record when none apply). */
function withConventions<R extends SpanStartedRecord | SpanEndedRecord>(record: R): R {
  const attributes = normalizeAttributes(record.attributes, record.name);
  return attributes === record.attributes ? record : { ...record, attributes };
}
