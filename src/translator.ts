import type { AaepEvent, AaepEventOf, Producer } from './protocol/index.js';
import { AAEP_CONTEXT } from './protocol/index.js';
import type {
  Attributes,
  SpanEndedRecord,
  SpanEventRecord,
  SpanRecord,
  SpanStartedRecord,
} from './records.js';
import {
  AAEP_AGENT_NAME,
  AAEP_CONFIRMATION_ACTION,
  AAEP_CONFIRMATION_ALLOWED_REPLIES,
  AAEP_CONFIRMATION_BY,
  AAEP_CONFIRMATION_CONSEQUENCE,
  AAEP_CONFIRMATION_DECISION,
  AAEP_CONFIRMATION_DEFAULT_DECISION,
  AAEP_CONFIRMATION_IRREVERSIBLE,
  AAEP_CONFIRMATION_REPLY_TOKEN,
  AAEP_CONFIRMATION_RISK_LEVEL,
  AAEP_CONFIRMATION_TIMEOUT_SECONDS,
  AAEP_EVENT_CONFIRMATION_REQUESTED,
  AAEP_CLARIFICATION_BY,
  AAEP_CLARIFICATION_CHOICE_LABELS,
  AAEP_CLARIFICATION_CHOICE_VALUES,
  AAEP_CLARIFICATION_CONTEXT,
  AAEP_CLARIFICATION_DEFAULT_RESPONSE,
  AAEP_CLARIFICATION_QUESTION,
  AAEP_CLARIFICATION_REPLY_TOKEN,
  AAEP_CLARIFICATION_RESPONSE,
  AAEP_CLARIFICATION_RESPONSE_KINDS,
  AAEP_CLARIFICATION_TIMEOUT_SECONDS,
  AAEP_EVENT_CLARIFICATION_REQUESTED,
  AAEP_EVENT_CLARIFICATION_RESOLVED,
  AAEP_EVENT_HANDOFF_REQUESTED,
  AAEP_HANDOFF_REASON,
  AAEP_HANDOFF_SUMMARY,
  AAEP_HANDOFF_TARGET_KIND,
  AAEP_HANDOFF_TARGET_URI,
  AAEP_HANDOFF_URGENCY,
  AAEP_ERROR_CATEGORY,
  AAEP_ERROR_CODE,
  AAEP_ERROR_REMEDIATION,
  AAEP_EVENT_CONFIRMATION_RESOLVED,
  AAEP_EVENT_OUTPUT_CHUNK,
  AAEP_EVENT_PROGRESS,
  AAEP_EVENT_TOOL_CALL_ANNOUNCED,
  AAEP_LANGUAGE,
  AAEP_LLM_MODEL,
  AAEP_LLM_OUTPUT,
  AAEP_OUTPUT_TEXT,
  AAEP_PROGRESS_DESCRIPTION,
  AAEP_PROGRESS_PERCENT,
  AAEP_PROGRESS_STEP,
  AAEP_PROGRESS_TOTAL_STEPS,
  AAEP_SESSION_CANCELLED_BY,
  AAEP_SESSION_CANCEL_REASON,
  AAEP_SESSION_EXPECTED_DURATION_MS,
  AAEP_SESSION_OUTCOME,
  AAEP_SESSION_REQUEST,
  AAEP_SESSION_REQUESTED_BY,
  AAEP_SESSION_RESULT_SUMMARY,
  AAEP_SESSION_SUMMARY,
  AAEP_SESSION_TOOLS,
  AAEP_TOOL_ARGS_SUMMARY,
  AAEP_TOOL_ARGUMENTS,
  AAEP_TOOL_DESCRIPTION,
  AAEP_TOOL_EXPECTED_DURATION_MS,
  AAEP_TOOL_IRREVERSIBLE,
  AAEP_TOOL_REQUIRES_CONFIRMATION,
  AAEP_TOOL_NAME,
  AAEP_TOOL_RESULT,
  AAEP_TOOL_RESULT_SUMMARY,
  AAEP_TOOL_RISK_LEVEL,
  AAEP_TOOL_STATUS,
  AAEP_TOOL_SUMMARY,
  ERROR_TYPE,
  GEN_AI_AGENT_NAME,
  GEN_AI_CONVERSATION_ID,
  GEN_AI_REQUEST_MODEL,
  GEN_AI_RESPONSE_MODEL,
  GEN_AI_OPERATION_NAME,
  GEN_AI_TOOL_CALL_ARGUMENTS,
  GEN_AI_TOOL_CALL_ID,
  GEN_AI_TOOL_CALL_RESULT,
  GEN_AI_TOOL_DESCRIPTION,
  GEN_AI_TOOL_NAME,
} from './semconv/attributes.js';
import type { CatchUpSession } from './CatchUp.js';
import { classifySpan, type SpanRole } from './semconv/classifySpan.js';
import { normalizeAttributes } from './semconv/normalizeAttributes.js';
import {
  readBoolean,
  readEnum,
  readNumber,
  readString,
  readStringArray,
  readText,
} from './semconv/readAttributes.js';
import { EVENT_KIND, eventIdFor, outputIdFor, sessionIdFor, toolCallIdFor, traceparentFor, type EventKindCode } from './ids.js';
import { describeData, describeDuration, humanizeName, sentence, truncate } from './describe.js';
import { redactText, secretTailStart } from './redact.js';
import { LimitEpisode, resolveLimit, type LimitReached, type StoreUsage } from './limits.js';
import { codePointLength, lastSentenceBoundary } from './sentenceBoundary.js';

export const AAEP_VERSION = '0.1.0-draft';

export interface TranslatorOptions {
  readonly producer: Producer;
  /** Receives every event, in a legal order per session. Must not throw. */
  readonly emit: (event: AaepEvent) => void;
  /** BCP 47 tag of the summaries this translator writes. */
  readonly language?: string;
  /** Told when the agent breaks a safety rule the translator enforces. */
  readonly onViolation?: (message: string) => void;
  /** Told once a session's terminal event is out, so its reply tokens can be freed. */
  readonly onSessionClosed?: (sessionId: string) => void;
  /**
   * Told when a confirmation or clarification is announced, so a process that did
   * not issue the token itself (the receiver) can accept replies for it.
   */
  readonly onReplyRequested?: (request: ReplyRequest) => void;
  /** Sessions open at once; a session beyond it is not translated. Else `AAEP_MAX_SESSIONS`, else 10,000. */
  readonly maxSessions?: number;
  /** Open spans followed per session; a span beyond it is not translated. Else `AAEP_MAX_SPANS_PER_SESSION`, else 1,000. */
  readonly maxSpansPerSession?: number;
  /** Told once per episode of the session bound and once per session at its span bound. Must not throw. */
  readonly onLimit?: (reached: LimitReached) => void;
}

/** A question on the stream that replies may answer, as the reply registry needs it. */
export type ReplyRequest =
  | {
      readonly kind: 'confirmation';
      readonly token: string;
      readonly sessionId: string;
      readonly issuedAt: number;
      readonly timeoutSeconds: number;
      readonly allowedDecisions: readonly string[];
    }
  | {
      readonly kind: 'clarification';
      readonly token: string;
      readonly sessionId: string;
      readonly issuedAt: number;
      readonly timeoutSeconds: number;
      readonly acceptedKinds: ReadonlyArray<'freetext' | 'yes_no' | 'multiple_choice' | 'numeric'>;
      readonly choices: readonly string[];
    };

type AgentState =
  | 'idle'
  | 'thinking'
  | 'calling_tool'
  | 'writing_output'
  | 'awaiting_input'
  | 'deciding'
  | 'handing_off';

interface OutputState {
  readonly outputId: string;
  readonly source: SpanInfo;
  /** Text received but not yet announced (an unfinished sentence). */
  pending: string;
  /** Everything received, to reconcile a final output attribute with streamed chunks. */
  received: string;
  /** The start of what was announced, for the session's output summary. */
  announced: string;
  position: number;
  /** Dropping the rest of a private key too long to hold. */
  hidingPem?: boolean;
}

interface ToolState {
  /** Attributes known at start, for an announcement deferred until confirmation. */
  readonly attributes: Attributes;
  readonly name: string;
  readonly callId: string;
  readonly irreversible: boolean;
  /** Announced only after an accepted confirmation (irreversible, or marked so). */
  readonly held: boolean;
  readonly startTime: number;
  invoked: boolean;
  decision?: 'accept' | 'reject';
  /** Its `agent.tool.invoked`, re-sent to a late subscriber while the call runs. */
  invokedEvent?: AaepEvent;
}

/** A confirmation or clarification on the stream and not yet resolved, as a late subscriber is re-sent it. */
interface PendingQuestion {
  readonly token: string;
  readonly event: AaepEventOf<'aaep:agent.awaiting.confirmation'> | AaepEventOf<'aaep:agent.awaiting.clarification'>;
  /** Deadline in the translator's clock (ms). */
  readonly deadline: number;
  /** `summary_detailed` for the time left. */
  readonly detailed: (secondsLeft: number) => string;
}

/**
 * What outlives a session in the bounded memory of recently ended spans: a
 * pointer to the session while it is open, nothing once it is closed, so a
 * finished session's state can be collected young.
 */
interface SessionHandle {
  session: SessionState | undefined;
}

interface RetiredSpan {
  readonly traceId: string;
  readonly handle: SessionHandle;
}

interface SessionState {
  readonly handle: SessionHandle;
  readonly sessionId: string;
  readonly traceId: string;
  readonly rootSpanId: string;
  /** The session span; stays reachable after the span itself ends. */
  root?: SpanInfo;
  readonly startTime: number;
  readonly agentName: string;
  readonly language: string;
  readonly localization: { readonly primary_language: string };
  sequence: number;
  lastTime: number;
  /** The last timestamp formatted, reused while events share a millisecond. */
  isoMillis: number;
  iso: string;
  state: AgentState;
  /** What a late subscriber is re-sent (spec §8.7): how the session started, and its last state change. */
  started?: AaepEvent;
  lastState?: AaepEvent;
  /** Questions asked and not yet resolved. */
  readonly questions: PendingQuestion[];
  closed: boolean;
  toolInvocations: number;
  lastOutput: string;
  /** Spans with an unfinished output or tool call, closed with the session. */
  readonly open: Set<SpanInfo>;
  /** Spans of this session tracked now, against the per-session bound. */
  spanCount: number;
  /** Whether reaching the per-session bound was reported. */
  spansRefused: boolean;
  /**
   * Tool calls a model call announced (`aaep.tool.call_announced`) and no tool span
   * has claimed yet, by the framework's call id; `ran` remembers call ids a tool
   * span announced itself, so a late announcement is not a second one.
   */
  readonly calls: { readonly announced: Map<string, AnnouncedCall>; readonly ran: Set<string> };
}

/** A tool call announced by the model call that made it, waiting for its tool span. */
interface AnnouncedCall {
  readonly tool: ToolState;
  readonly source: SpanInfo;
}

/** What the translator keeps per span: small, and freed when the span ends. */
interface SpanInfo {
  readonly session: SessionState;
  readonly traceId: string;
  readonly role: SpanRole | undefined;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly name: string;
  /** Events emitted so far per kind, the ordinal in derived event ids. */
  readonly ordinals: Partial<Record<EventKindCode, number>>;
  /** This span's output that has not had its `complete: true` chunk yet. */
  output?: OutputState;
  /** W3C traceparent, built on first use. */
  correlation?: string;
  /** Span events delivered while the span was open. */
  eventsSeen: number;
  tool?: ToolState;
  /** The confirmation this span is waiting for, announced and not yet resolved. */
  confirmation?: { readonly token: string; readonly action: string };
  /** Likewise for a clarification. */
  clarification?: { readonly token: string; readonly question: string };
}

const STATE_PHRASES: Record<AgentState, { terse: string; normal: string }> = {
  idle: { terse: 'Idle.', normal: 'Waiting.' },
  thinking: { terse: 'Thinking.', normal: 'Thinking about your request.' },
  calling_tool: { terse: 'Using a tool.', normal: 'Using a tool.' },
  writing_output: { terse: 'Answering.', normal: 'Writing the answer.' },
  awaiting_input: { terse: 'Waiting for you.', normal: 'Waiting for your answer.' },
  deciding: { terse: 'Deciding.', normal: 'Deciding what to do next.' },
  handing_off: { terse: 'Handing off.', normal: 'Handing over to someone else.' },
};

const ERROR_CATEGORIES = ['transient', 'permanent', 'requires_user', 'unknown'] as const;
const CANCELLED_BY = ['user', 'producer', 'timeout', 'system'] as const;
const RISK_LEVELS = ['low', 'medium', 'high'] as const;
const DECISIONS = ['accept', 'reject'] as const;
const REPLY_TOKEN = /^rpl_[A-Za-z0-9]{1,64}$/;
const RESPONSE_KINDS = ['freetext', 'yes_no', 'multiple_choice', 'numeric'] as const;
type ResponseKindName = (typeof RESPONSE_KINDS)[number];
const HANDOFF_TARGETS = ['human', 'specialist_agent', 'escalation_queue'] as const;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;
const MAX_CHUNK_CHARS = 8000;
const MAX_RETIRED_SPANS = 4096;
const MAX_PEM_HOLD_CHARS = 64 * 1024;
const PEM_BEGIN = '-----BEGIN';
const PEM_END = '-----END';
const PEM_END_LINE = /-----END [^\n]{0,80}-----/;
const MAX_PENDING_CHARS = 4000;
const MAX_RECONCILE_CHARS = 1_000_000;
const MAX_SUMMARY_SOURCE_CHARS = 600;
/** Announced tool calls waiting for their tool span, and call ids remembered, per session. */
const MAX_ANNOUNCED_CALLS = 64;
const MAX_RAN_CALLS = 256;
const TRANSIENT_ERROR = /timeout|timed out|rate.?limit|429|503|unavailable|overloaded|econnreset|econnrefused/i;

/**
 * Turns span lifecycle records into a legal AAEP stream: one state machine per
 * session (spec chapter 4 §4.5, appendix A). Sources call `handle` in the order the
 * span life happened; everything else (ids, order, summaries, redaction) is here.
 */
export class Translator {
  private readonly producer: Producer;
  private readonly emitEvent: (event: AaepEvent) => void;
  private readonly language: string;
  private readonly onViolation: (message: string) => void;
  private readonly onSessionClosed: (sessionId: string) => void;
  private readonly onReplyRequested: ((request: ReplyRequest) => void) | undefined;
  /** Spans that belong to a session, keyed by trace id + span id. */
  private readonly spans = new Map<string, SpanInfo>();
  private readonly sessions = new Set<SessionState>();
  /** Open sessions with a question waiting, so a catch-up finds them without visiting every session. */
  private readonly asking = new Set<SessionState>();
  /**
   * Recently ended spans and their session (bounded), so a span that starts after
   * its parent ended still joins the right session, or stays silent when that
   * session is over, instead of opening a session of its own.
   */
  private readonly retired = new Map<string, RetiredSpan>();
  /** Insertion order of `retired`, as a ring: evicting by Map iteration degrades after many deletes. */
  private readonly retiredOrder: string[] = [];
  private retiredNext = 0;
  private readonly maxSessions: number;
  private readonly maxSpansPerSession: number;
  private readonly onLimit: (reached: LimitReached) => void;
  private readonly sessionBound: LimitEpisode;
  private refused = 0;

  constructor(options: TranslatorOptions) {
    // The agent name option is on every event; it is text like any other.
    const agentName = options.producer.agent_name;
    this.producer = agentName === undefined ? options.producer : { ...options.producer, agent_name: redactText(agentName) };
    this.emitEvent = options.emit;
    this.language = options.language ?? 'en';
    this.onViolation = options.onViolation ?? (() => {});
    this.onSessionClosed = options.onSessionClosed ?? (() => {});
    this.onReplyRequested = options.onReplyRequested;
    this.maxSessions = resolveLimit('sessions', options.maxSessions);
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
    return this.lookup(traceId, spanId) !== undefined || this.retiredSession(traceId, spanId) !== undefined;
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
        summary_terse: 'Stopped.',
        summary_normal: `${session.agentName} stopped because the service is shutting down.`,
      }));
    }
  }

  /**
   * Where each open session stands, for a subscriber that joins mid-session or
   * whose resume point aged out (spec §8.7, B.1.5). Each session's events are ones
   * it already emitted, re-sent with their own event_id and sequence_number, in
   * sequence order: its `session.started`, its last `state.changed` (the current
   * state), the tool calls still running, and the questions still open, with
   * `timeout_seconds` the time left and `timestamp` now, so their sum is still the
   * deadline. Sessions with an open question come first, soonest deadline first,
   * then the newest; at most `maxSessions`.
   */
  catchUp(sessionFilter: string | undefined, maxSessions: number, now = Date.now()): CatchUpSession[] {
    let chosen: SessionState[];
    if (sessionFilter !== undefined) {
      // A session id names its root span, tracked while the session is open.
      const session = this.lookup(sessionFilter.slice(5, 37), sessionFilter.slice(37))?.session;
      chosen = session !== undefined && !session.closed && session.sessionId === sessionFilter ? [session] : [];
    } else {
      // Touching only the sessions sent: visiting 60,000 sessions' state alone takes tens of ms.
      const soonest = (session: SessionState) => Math.min(...session.questions.map((question) => question.deadline));
      chosen = [...this.asking].filter((session) => soonest(session) - now >= 1000);
      chosen.sort((a, b) => soonest(a) - soonest(b));
      chosen.length = Math.min(chosen.length, maxSessions);
      const taken = new Set(chosen);
      const open = [...this.sessions];
      for (let i = open.length - 1; i >= 0 && chosen.length < maxSessions; i--) if (!taken.has(open[i]!)) chosen.push(open[i]!);
    }
    return chosen.map((session) => ({ sessionId: session.sessionId, events: this.resend(session, now) }));
  }

  private resend(session: SessionState, now: number): AaepEvent[] {
    const events: AaepEvent[] = [];
    if (session.started !== undefined) events.push(session.started);
    if (session.lastState !== undefined) events.push(session.lastState);
    for (const info of session.open) if (info.tool?.invokedEvent !== undefined) events.push(info.tool.invokedEvent);
    const asked = session.questions.filter((question) => question.deadline - now >= 1000);
    if (asked.length > 0) {
      // Later events of the session must not be stamped before this re-send (timestamps never go backwards).
      session.lastTime = Math.max(session.lastTime, now);
      const stamp = new Date(session.lastTime).toISOString();
      for (const question of asked) {
        const secondsLeft = Math.floor((question.deadline - session.lastTime) / 1000);
        if (secondsLeft < 1) continue;
        events.push({ ...question.event, timestamp: stamp, timeout_seconds: secondsLeft, summary_detailed: question.detailed(secondsLeft) });
      }
    }
    events.sort((a, b) => (a.sequence_number ?? 0) - (b.sequence_number ?? 0));
    // A re-sent question is stamped now: what follows it in the catch-up is too.
    let latest = '';
    return events.map((event) => {
      if (event.timestamp >= latest) {
        latest = event.timestamp;
        return event;
      }
      return { ...event, timestamp: latest };
    });
  }

  /**
   * Spans are keyed by span id alone (no string building on the hot path); the
   * trace id is checked on lookup, so a colliding id from another trace is a miss.
   */
  private lookup(traceId: string, spanId: string): SpanInfo | undefined {
    const info = this.spans.get(spanId);
    return info !== undefined && info.traceId === traceId ? info : undefined;
  }

  /** The session of a recently ended span: the open session, or CLOSED once it is over. */
  private retiredSession(traceId: string, spanId: string): SessionState | undefined {
    const retired = this.retired.get(spanId);
    if (retired === undefined || retired.traceId !== traceId) return undefined;
    return retired.handle.session ?? CLOSED;
  }

  private onStarted(record: SpanStartedRecord): void {
    // Started already, or already over (a source that delivers a span twice), or refused before (refused again).
    if (this.spans.has(record.spanId)) return;
    const seen = this.retiredSession(record.traceId, record.spanId);
    if (seen === REFUSED) this.refused++;
    if (seen !== undefined) return;
    const role = classifySpan(record.attributes);
    const parentId = record.parentSpanId;
    const parent: SessionState | undefined =
      (parentId === undefined
        ? undefined
        : (this.lookup(record.traceId, parentId)?.session ?? this.retiredSession(record.traceId, parentId))) ??
      (record.sessionSpanId === undefined
        ? undefined
        : (this.lookup(record.traceId, record.sessionSpanId)?.session ?? this.retiredSession(record.traceId, record.sessionSpanId)));
    // Under a refused span, a span is refused too: it is not followed at all.
    if (parent === REFUSED) return this.refuse(record);
    if (parent === undefined) {
      // An llm or tool span outside any session anchors a session of its own,
      // so a lone framework call is still heard.
      if (role === undefined) return;
      if (this.sessions.size >= this.maxSessions) {
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
    this.retire(record.spanId, record.traceId, REFUSED.handle);
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
    if (info === undefined && this.retiredSession(record.traceId, record.spanId) !== undefined) return;
    if (info === undefined) {
      // A source that only sees finished spans (OTLP without start signals).
      this.onStarted({ ...record, kind: 'started' });
      info = this.lookup(record.traceId, record.spanId);
      if (info === undefined) return;
    }
    this.spans.delete(record.spanId);
    const session = info.session;
    session.spanCount--;
    this.retire(record.spanId, info.traceId, session.handle);
    if (session.closed) return;
    // A source that delivered events live lists them again at the end: those are skipped.
    for (let i = info.eventsSeen; i < record.events.length; i++) this.spanEvent(info, record.events[i]!);
    // A question whose span ended unanswered can no longer be answered.
    if (info.confirmation !== undefined) this.answered(session, info.confirmation.token);
    if (info.clarification !== undefined) this.answered(session, info.clarification.token);
    if (info.role === 'llm') this.endLlm(info, record);
    else if (info.role === 'tool') this.endTool(info, record);
    if (record.spanId === session.rootSpanId) this.endSession(session, record);
    else this.finishOutput(info, record.endTime);
  }

  private retire(key: string, traceId: string, handle: SessionHandle): void {
    const evicted = this.retiredOrder[this.retiredNext];
    if (evicted !== undefined) this.retired.delete(evicted);
    this.retiredOrder[this.retiredNext] = key;
    this.retiredNext = (this.retiredNext + 1) % MAX_RETIRED_SPANS;
    this.retired.set(key, { traceId, handle });
  }

  private openSession(record: SpanStartedRecord, rootRole: SpanRole | undefined): SessionState {
    const attrs = record.attributes;
    const language = readString(attrs, AAEP_LANGUAGE) ?? this.language;
    const session: SessionState = {
      handle: { session: undefined },
      sessionId: sessionIdFor(record.traceId, record.spanId),
      traceId: record.traceId,
      rootSpanId: record.spanId,
      startTime: record.startTime,
      agentName: truncate(redactText(readString(attrs, AAEP_AGENT_NAME, GEN_AI_AGENT_NAME) ?? this.producer.agent_name ?? 'The agent'), 256),
      language,
      localization: { primary_language: language },
      sequence: 0,
      lastTime: record.startTime,
      isoMillis: -1,
      iso: '',
      state: 'idle',
      closed: false,
      questions: [],
      toolInvocations: 0,
      lastOutput: '',
      open: new Set(),
      spanCount: 0,
      spansRefused: false,
      calls: { announced: new Map(), ran: new Set() },
    };
    session.handle.session = session;
    this.sessions.add(session);
    const root = this.track(session, rootRole, record);
    session.root = root;
    const request = readString(attrs, AAEP_SESSION_REQUEST);
    const explicit = readString(attrs, AAEP_SESSION_SUMMARY);
    const tools = readStringArray(attrs, AAEP_SESSION_TOOLS)?.map((tool) => truncate(redactText(tool), 256));
    const requestText = request === undefined ? undefined : truncate(redactText(request), 2000);
    const normal = explicit
      ? sentence(truncate(redactText(explicit), 2000))
      : requestText
        ? `${session.agentName} is working on your request: ${truncate(requestText, 200)}`
        : `${session.agentName} started working.`;
    const detailParts = [normal];
    if (tools && tools.length > 0) detailParts.push(`It can use ${tools.map(humanizeName).join(', ')}.`);
    const conversation = readString(attrs, GEN_AI_CONVERSATION_ID);
    if (conversation) detailParts.push(`Conversation ${truncate(redactText(conversation), 64)}.`);
    const expected = readNumber(attrs, AAEP_SESSION_EXPECTED_DURATION_MS);
    const requestedBy = readString(attrs, AAEP_SESSION_REQUESTED_BY);
    session.started = this.publish(session, root, EVENT_KIND.started, record.startTime, 'normal', {
      type: 'aaep:agent.session.started',
      summary_terse: 'Started.',
      summary_normal: normal,
      summary_detailed: detailParts.join(' '),
      ...(requestText !== undefined && { request_text: requestText }),
      ...(requestedBy !== undefined && { requested_by: truncate(redactText(requestedBy), 256) }),
      ...(tools !== undefined && { tools_available: [...new Set(tools)] }),
      ...(expected !== undefined && expected >= 0 && { expected_duration_ms: Math.round(expected) }),
    });
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
    else if (info.role === 'tool') this.startTool(info, record);
  }

  private startLlm(info: SpanInfo, record: SpanStartedRecord): void {
    const model = readString(record.attributes, AAEP_LLM_MODEL, GEN_AI_REQUEST_MODEL, GEN_AI_RESPONSE_MODEL);
    this.changeState(info, 'thinking', record.startTime, model ? `model ${truncate(redactText(model), 64)}` : undefined);
  }

  private startTool(info: SpanInfo, record: SpanStartedRecord): void {
    const attrs = record.attributes;
    if (this.claimAnnouncedCall(info, record)) return;
    const irreversible = readBoolean(attrs, AAEP_TOOL_IRREVERSIBLE) === true;
    const tool: ToolState = {
      attributes: attrs,
      name: toolNameOf(record.name, attrs),
      callId: toolCallIdFor(record.spanId),
      irreversible,
      held: irreversible || readBoolean(attrs, AAEP_TOOL_REQUIRES_CONFIRMATION) === true,
      startTime: record.startTime,
      invoked: false,
    };
    info.tool = tool;
    info.session.open.add(info);
    // Tools that ask first are announced only once their confirmation is accepted (spec §4.3.1, §4.5.3).
    if (!tool.held) this.announceTool(info, attrs, record.startTime);
  }

  /**
   * A tool span whose call its model call already announced takes that call over
   * (same tool_call_id, no second `tool.invoked`); one that runs first is remembered
   * so a later announcement of it is ignored.
   */
  private claimAnnouncedCall(info: SpanInfo, record: SpanStartedRecord): boolean {
    const callId = readString(record.attributes, GEN_AI_TOOL_CALL_ID);
    if (callId === undefined) return false;
    const calls = info.session.calls;
    const announced = calls.announced.get(callId);
    if (announced === undefined) {
      if (calls.ran.size >= MAX_RAN_CALLS) calls.ran.delete(calls.ran.values().next().value!);
      calls.ran.add(callId);
      return false;
    }
    calls.announced.delete(callId);
    if (readBoolean(record.attributes, AAEP_TOOL_IRREVERSIBLE) === true || readBoolean(record.attributes, AAEP_TOOL_REQUIRES_CONFIRMATION) === true) {
      this.onViolation(`Tool "${announced.tool.name}" asks for confirmation but its call was announced before it ran; do not announce it early.`);
    }
    info.tool = { ...announced.tool, startTime: record.startTime };
    info.session.open.add(info);
    this.changeState(info, 'calling_tool', record.startTime, humanizeName(announced.tool.name));
    return true;
  }

  /**
   * `aaep.tool.call_announced` on a model-call span: the call is announced now, as
   * its tool span would announce it (same summary), and completed by that span.
   */
  private toolCallAnnounced(info: SpanInfo, record: SpanEventRecord): void {
    const attrs = record.attributes;
    const callId = readString(attrs, GEN_AI_TOOL_CALL_ID);
    const name = readString(attrs, GEN_AI_TOOL_NAME);
    if (callId === undefined || name === undefined) {
      this.onViolation('aaep.tool.call_announced needs gen_ai.tool.call.id and gen_ai.tool.name; ignored.');
      return;
    }
    const calls = info.session.calls;
    // Already announced, already run, or too many waiting: the tool span announces it itself.
    if (calls.announced.has(callId) || calls.ran.has(callId) || calls.announced.size >= MAX_ANNOUNCED_CALLS) return;
    const toolAttrs = normalizeAttributes({ ...attrs, [GEN_AI_OPERATION_NAME]: 'execute_tool' }, `execute_tool ${name}`);
    const ordinal = info.ordinals[EVENT_KIND.toolInvoked] ?? 0;
    const tool: ToolState = {
      attributes: toolAttrs,
      name: toolNameOf(name, toolAttrs),
      callId: `${toolCallIdFor(info.spanId)}x${ordinal.toString(36)}`,
      irreversible: false,
      held: false,
      startTime: record.time,
      invoked: false,
    };
    calls.announced.set(callId, { tool, source: info });
    this.announceTool(info, toolAttrs, record.time, tool);
  }

  private announceTool(info: SpanInfo, attrs: Attributes, time: number, tool: ToolState = info.tool!): void {
    const session = info.session;
    tool.invoked = true;
    const label = humanizeName(tool.name);
    this.changeState(info, 'calling_tool', time, label);
    const explicit = readString(attrs, AAEP_TOOL_SUMMARY);
    const argsSummary =
      readString(attrs, AAEP_TOOL_ARGS_SUMMARY) !== undefined
        ? truncate(redactText(readString(attrs, AAEP_TOOL_ARGS_SUMMARY)!), 500)
        : describeData(attrs[AAEP_TOOL_ARGUMENTS] ?? attrs[GEN_AI_TOOL_CALL_ARGUMENTS]);
    const description = readString(attrs, AAEP_TOOL_DESCRIPTION, GEN_AI_TOOL_DESCRIPTION);
    const normal = explicit
      ? sentence(truncate(redactText(explicit), 500))
      : sentence(argsSummary ? `Using ${label}, ${argsSummary}` : `Using ${label}`);
    const detailed = [normal];
    if (description) detailed.push(sentence(truncate(redactText(description), 500)));
    const risk = readEnum(attrs, AAEP_TOOL_RISK_LEVEL, RISK_LEVELS);
    const expected = readNumber(attrs, AAEP_TOOL_EXPECTED_DURATION_MS);
    tool.invokedEvent = this.publish(session, info, EVENT_KIND.toolInvoked, time, 'normal', {
      type: 'aaep:agent.tool.invoked',
      tool: tool.name,
      tool_call_id: tool.callId,
      summary_terse: sentence(`Using ${label}`),
      summary_normal: normal,
      summary_detailed: detailed.join(' '),
      ...(argsSummary !== undefined && { args_summary: argsSummary }),
      ...(description !== undefined && { description: truncate(redactText(description), 500) }),
      ...(risk !== undefined && { risk_level: risk }),
      ...(tool.irreversible && { irreversible: true }),
      ...(expected !== undefined && expected >= 0 && { expected_duration_ms: Math.round(expected) }),
    });
  }

  private spanEvent(info: SpanInfo, record: SpanEventRecord): void {
    switch (record.name) {
      case AAEP_EVENT_OUTPUT_CHUNK: {
        const text = readText(record.attributes, AAEP_OUTPUT_TEXT);
        if (text !== undefined) this.appendOutput(info, text, record.time);
        break;
      }
      case AAEP_EVENT_PROGRESS:
        this.progress(info, record);
        break;
      case AAEP_EVENT_TOOL_CALL_ANNOUNCED:
        this.toolCallAnnounced(info, record);
        break;
      case AAEP_EVENT_CONFIRMATION_REQUESTED:
        this.confirmationRequested(info, record);
        break;
      case AAEP_EVENT_CONFIRMATION_RESOLVED:
        this.confirmationResolved(info, record);
        break;
      case AAEP_EVENT_CLARIFICATION_REQUESTED:
        this.clarificationRequested(info, record);
        break;
      case AAEP_EVENT_CLARIFICATION_RESOLVED:
        this.clarificationResolved(info, record);
        break;
      case AAEP_EVENT_HANDOFF_REQUESTED:
        this.handoffRequested(info, record);
        break;
    }
  }

  private clarificationRequested(info: SpanInfo, record: SpanEventRecord): void {
    const attrs = record.attributes;
    const token = readString(attrs, AAEP_CLARIFICATION_REPLY_TOKEN);
    const rawQuestion = readString(attrs, AAEP_CLARIFICATION_QUESTION);
    if (token === undefined || !REPLY_TOKEN.test(token) || rawQuestion === undefined || info.clarification !== undefined) {
      this.onViolation('aaep.clarification.requested needs a reply token (rpl_…) and a question; ignored.');
      return;
    }
    const question = truncate(redactText(rawQuestion), 2000);
    const timeout = Math.min(86_400, Math.max(1, Math.round(readNumber(attrs, AAEP_CLARIFICATION_TIMEOUT_SECONDS) ?? 120)));
    const kinds = readStringArray(attrs, AAEP_CLARIFICATION_RESPONSE_KINDS)?.filter((kind): kind is ResponseKindName =>
      (RESPONSE_KINDS as readonly string[]).includes(kind),
    );
    const values = readStringArray(attrs, AAEP_CLARIFICATION_CHOICE_VALUES) ?? [];
    const labels = readStringArray(attrs, AAEP_CLARIFICATION_CHOICE_LABELS) ?? [];
    const seen = new Set<string>();
    const choices = values
      .map((value, i) => ({ value: truncate(redactText(value), 256), label: truncate(redactText(labels[i] ?? value), 1000) }))
      .filter((choice) => choice.value !== '' && !seen.has(choice.value) && seen.add(choice.value))
      .slice(0, 32);
    const context = readString(attrs, AAEP_CLARIFICATION_CONTEXT);
    const defaultResponse = readString(attrs, AAEP_CLARIFICATION_DEFAULT_RESPONSE);
    info.clarification = { token, question };
    this.changeState(info, 'awaiting_input', record.time, question);
    const choiceWords = choices.length >= 2 ? ` Options: ${choices.map((c) => c.label).join(', ')}.` : '';
    const contextWords = context ? ` ${sentence(truncate(redactText(context), 1000))}` : '';
    const detailed = (seconds: number) => `Question: ${question}${choiceWords}${contextWords} Answer within ${describeDuration(seconds * 1000)}.`;
    const event = this.publish(info.session, info, EVENT_KIND.clarification, record.time, 'critical', {
      type: 'aaep:agent.awaiting.clarification',
      question,
      reply_token: token,
      timeout_seconds: timeout,
      summary_terse: truncate(question, 200),
      summary_normal: `Question: ${question}${choiceWords}`,
      summary_detailed: detailed(timeout),
      ...(kinds !== undefined && kinds.length > 0 && { accepted_response_kinds: [...new Set(kinds)] }),
      ...(choices.length >= 2 && { choices }),
      ...(context !== undefined && { context: truncate(redactText(context), 4000) }),
      ...(defaultResponse !== undefined && { default_response: truncate(redactText(defaultResponse), 4000) }),
    });
    this.ask(info, token, event, record.time + timeout * 1000, detailed);
    this.onReplyRequested?.({
      kind: 'clarification',
      token,
      sessionId: info.session.sessionId,
      issuedAt: record.time,
      timeoutSeconds: timeout,
      acceptedKinds: kinds !== undefined && kinds.length > 0 ? kinds : ['freetext'],
      choices: choices.map((choice) => choice.value),
    });
  }

  private clarificationResolved(info: SpanInfo, record: SpanEventRecord): void {
    if (info.clarification === undefined) return;
    this.answered(info.session, info.clarification.token);
    info.clarification = undefined;
    const by = readString(record.attributes, AAEP_CLARIFICATION_BY);
    const response = readString(record.attributes, AAEP_CLARIFICATION_RESPONSE);
    const answer = response === undefined ? undefined : truncate(redactText(response), 200);
    const summary =
      by === 'user'
        ? sentence(`You answered: ${answer ?? 'nothing'}`)
        : by === 'cancelled'
          ? 'The question was cancelled.'
          : answer !== undefined
            ? sentence(`No answer in time, so going with: ${answer}`)
            : 'No answer in time; continuing without one.';
    this.changeState(info, 'thinking', record.time, undefined, summary);
  }

  private handoffRequested(info: SpanInfo, record: SpanEventRecord): void {
    const attrs = record.attributes;
    const reason = readString(attrs, AAEP_HANDOFF_REASON);
    const target = readEnum(attrs, AAEP_HANDOFF_TARGET_KIND, HANDOFF_TARGETS);
    if (reason === undefined || target === undefined) {
      this.onViolation('aaep.handoff.requested needs a reason and a target kind (human, specialist_agent, escalation_queue); ignored.');
      return;
    }
    const summary = readString(attrs, AAEP_HANDOFF_SUMMARY);
    const uri = readString(attrs, AAEP_HANDOFF_TARGET_URI);
    const urgency = readEnum(attrs, AAEP_HANDOFF_URGENCY, RISK_LEVELS);
    const who = target === 'human' ? 'a person' : target === 'specialist_agent' ? 'a specialist agent' : 'the escalation queue';
    this.changeState(info, 'handing_off', record.time, who);
    const normal = summary ? sentence(truncate(redactText(summary), 1000)) : sentence(`Handing over to ${who}`);
    this.publish(info.session, info, EVENT_KIND.handoff, record.time, 'critical', {
      type: 'aaep:agent.handoff.requested',
      reason: truncate(redactText(reason), 4000),
      target_kind: target,
      summary_terse: sentence(`Handing over to ${who}`),
      summary_normal: normal,
      summary_detailed: `${normal} ${sentence(truncate(redactText(reason), 1000))}`,
      ...(uri !== undefined && URI.test(uri) && redactText(uri) === uri && { target_uri: uri }),
      ...(urgency !== undefined && { urgency_for_handoff: urgency }),
    });
  }

  private confirmationRequested(info: SpanInfo, record: SpanEventRecord): void {
    const attrs = record.attributes;
    const token = readString(attrs, AAEP_CONFIRMATION_REPLY_TOKEN);
    const rawAction = readString(attrs, AAEP_CONFIRMATION_ACTION);
    if (token === undefined || !REPLY_TOKEN.test(token) || rawAction === undefined || info.confirmation !== undefined) {
      this.onViolation('aaep.confirmation.requested needs a reply token (rpl_…) and an action; ignored.');
      return;
    }
    const action = truncate(redactText(rawAction), 1000);
    const consequence = truncate(redactText(readString(attrs, AAEP_CONFIRMATION_CONSEQUENCE) ?? 'The agent will go ahead with it.'), 1000);
    const risk = readEnum(attrs, AAEP_CONFIRMATION_RISK_LEVEL, RISK_LEVELS) ?? readEnum(info.tool?.attributes ?? {}, AAEP_TOOL_RISK_LEVEL, RISK_LEVELS);
    const irreversible = readBoolean(attrs, AAEP_CONFIRMATION_IRREVERSIBLE) ?? info.tool?.irreversible ?? false;
    let defaultDecision = readEnum(attrs, AAEP_CONFIRMATION_DEFAULT_DECISION, DECISIONS) ?? 'reject';
    // Spec §6.4.1: irreversible medium/high risk actions default to reject, whatever the caller asked.
    if (irreversible && (risk === 'high' || risk === 'medium')) defaultDecision = 'reject';
    const timeout = Math.min(86_400, Math.max(1, Math.round(readNumber(attrs, AAEP_CONFIRMATION_TIMEOUT_SECONDS) ?? 120)));
    const allowed = readStringArray(attrs, AAEP_CONFIRMATION_ALLOWED_REPLIES)?.slice(0, 32);
    info.confirmation = { token, action };
    this.changeState(info, 'awaiting_input', record.time, action);
    const stakes = irreversible ? ' This cannot be undone.' : '';
    const onTimeout = defaultDecision === 'reject' ? 'it will not happen' : 'it will go ahead';
    const detailed = (seconds: number) =>
      `Confirmation needed: ${sentence(action)} ${sentence(consequence)}${stakes} Without an answer in ${describeDuration(seconds * 1000)}, ${onTimeout}.`;
    const event = this.publish(info.session, info, EVENT_KIND.confirmation, record.time, 'critical', {
      type: 'aaep:agent.awaiting.confirmation',
      action,
      consequence,
      reply_token: token,
      timeout_seconds: timeout,
      default_decision: defaultDecision,
      summary_terse: sentence(`Confirm: ${truncate(action, 80)}?`.replace(/\?\.$/, '?')),
      summary_normal: `Confirmation needed: ${sentence(action)} ${sentence(consequence)}${stakes}`,
      summary_detailed: detailed(timeout),
      ...(risk !== undefined && { risk_level: risk }),
      ...(irreversible && { irreversible: true, reversibility: 'irreversible' as const }),
      ...(allowed !== undefined && { allowed_replies: [...new Set(allowed)] }),
    });
    this.ask(info, token, event, record.time + timeout * 1000, detailed);
    this.onReplyRequested?.({
      kind: 'confirmation',
      token,
      sessionId: info.session.sessionId,
      issuedAt: record.time,
      timeoutSeconds: timeout,
      allowedDecisions: allowed ?? ['accept', 'reject'],
    });
  }

  /** Spec §6.7.2: the outcome is announced as a state change away from `awaiting_input`. */
  private confirmationResolved(info: SpanInfo, record: SpanEventRecord): void {
    const pending = info.confirmation;
    if (pending === undefined) return;
    this.answered(info.session, pending.token);
    info.confirmation = undefined;
    const decision = readString(record.attributes, AAEP_CONFIRMATION_DECISION);
    const by = readString(record.attributes, AAEP_CONFIRMATION_BY);
    const tool = info.tool;
    const action = truncate(pending.action, 120).replace(/[.!?…]$/, '');
    if (decision === 'accept') {
      const who = by === 'timeout' ? 'No answer came; going ahead by default' : 'You accepted';
      const summary = sentence(`${who}: ${action}`);
      if (tool !== undefined && !tool.invoked) {
        tool.decision = 'accept';
        this.changeState(info, 'calling_tool', record.time, humanizeName(tool.name), summary);
        this.announceTool(info, tool.attributes, record.time);
      } else {
        this.changeState(info, 'thinking', record.time, undefined, summary);
      }
      return;
    }
    if (tool !== undefined) tool.decision = 'reject';
    const why =
      by === 'timeout' ? 'No answer in time, so not doing it' : by === 'cancelled' ? 'Cancelled, so not doing it' : 'You declined, so not doing it';
    this.changeState(info, 'thinking', record.time, undefined, sentence(`${why}: ${action}`));
  }

  /** Keeps an open question for late subscribers until it is resolved or its span ends. */
  private ask(info: SpanInfo, token: string, event: AaepEvent, deadline: number, detailed: (secondsLeft: number) => string): void {
    if (event.type !== 'aaep:agent.awaiting.confirmation' && event.type !== 'aaep:agent.awaiting.clarification') return;
    info.session.questions.push({ token, event, deadline, detailed });
    this.asking.add(info.session);
  }

  private answered(session: SessionState, token: string): void {
    const index = session.questions.findIndex((question) => question.token === token);
    if (index >= 0) session.questions.splice(index, 1);
    if (session.questions.length === 0) this.asking.delete(session);
  }

  private progress(info: SpanInfo, record: SpanEventRecord): void {
    const attrs = record.attributes;
    const percent = readNumber(attrs, AAEP_PROGRESS_PERCENT);
    const step = readNumber(attrs, AAEP_PROGRESS_STEP);
    const totalSteps = readNumber(attrs, AAEP_PROGRESS_TOTAL_STEPS);
    const rawDescription = readString(attrs, AAEP_PROGRESS_DESCRIPTION);
    const description = rawDescription === undefined ? undefined : truncate(redactText(rawDescription), 300);
    const progress: { percent?: number; step?: number; total_steps?: number; description?: string } = {};
    if (percent !== undefined) progress.percent = Math.min(100, Math.max(0, percent));
    if (step !== undefined && step >= 1) progress.step = Math.floor(step);
    if (totalSteps !== undefined && totalSteps >= 1) progress.total_steps = Math.floor(totalSteps);
    if (description !== undefined) progress.description = description;
    if (Object.keys(progress).length === 0) return;
    const amount =
      progress.percent !== undefined
        ? `${Math.round(progress.percent)} percent`
        : progress.step !== undefined
          ? progress.total_steps !== undefined
            ? `step ${progress.step} of ${progress.total_steps}`
            : `step ${progress.step}`
          : undefined;
    const normal = sentence([description, amount].filter(Boolean).join(', ') || 'Making progress');
    this.publish(info.session, info, EVENT_KIND.progress, record.time, 'background', {
      type: 'aaep:agent.progress.updated',
      progress,
      summary_terse: sentence(amount ?? 'Progress'),
      summary_normal: normal,
    });
  }

  private appendOutput(info: SpanInfo, text: string, time: number): void {
    if (text === '') return;
    const session = info.session;
    let output = info.output;
    if (output === undefined) {
      output = {
        outputId: outputIdFor(info.spanId),
        source: info,
        pending: '',
        received: '',
        announced: '',
        position: 0,
      };
      info.output = output;
      session.open.add(info);
      this.changeState(info, 'writing_output', time);
    }
    if (output.received.length < MAX_RECONCILE_CHARS) output.received += text;
    const scanFrom = Math.max(0, output.pending.length - 4);
    output.pending += text;
    if (this.holdingPem(output)) return;
    let boundary = lastSentenceBoundary(output.pending, scanFrom);
    // A very long run without a sentence end is announced at a word boundary instead.
    if (boundary <= 0 && output.pending.length > MAX_PENDING_CHARS) {
      boundary = output.pending.lastIndexOf(' ') + 1 || output.pending.length;
      // A credential word just before the cut waits for its value (redact.ts sees them together).
      const label = secretTailStart(output.pending.slice(0, boundary));
      if (label >= 0 && output.pending.length < 2 * MAX_PENDING_CHARS) boundary = label;
    }
    if (boundary > 0) {
      const chunk = output.pending.slice(0, boundary);
      output.pending = output.pending.slice(boundary);
      this.publishText(session, output, chunk, false, time);
    }
  }

  /**
   * A private key spans several lines, and lines are announced one by one: the
   * block is held whole until its END line so redaction sees it entire. One too
   * long to hold is announced as hidden and the rest of it dropped.
   */
  private holdingPem(output: OutputState): boolean {
    if (output.hidingPem) {
      const end = PEM_END_LINE.exec(output.pending);
      if (end === null) {
        // Keep a tail in case the END marker is split across tokens.
        output.pending = output.pending.slice(-64);
        return true;
      }
      output.hidingPem = false;
      output.pending = output.pending.slice(end.index + end[0].length);
    }
    const begin = output.pending.lastIndexOf(PEM_BEGIN);
    if (begin < 0 || output.pending.includes(PEM_END, begin)) return false;
    if (output.pending.length <= MAX_PEM_HOLD_CHARS) return true;
    output.hidingPem = true;
    const held = output.pending;
    output.pending = '';
    // Without its END line, redaction hides everything from BEGIN on.
    this.publishText(output.source.session, output, held, false, output.source.session.lastTime);
    return true;
  }

  /** Redacts, then publishes in pieces that fit the schema's 16 KiB chunk limit. */
  private publishText(session: SessionState, output: OutputState, raw: string, complete: boolean, time: number): void {
    let rest = redactText(raw);
    while (rest.length > MAX_CHUNK_CHARS) {
      let cut = MAX_CHUNK_CHARS;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      this.publishChunk(session, output, rest.slice(0, cut), false, time);
      rest = rest.slice(cut);
    }
    this.publishChunk(session, output, rest, complete, time);
  }

  private publishChunk(session: SessionState, output: OutputState, chunk: string, complete: boolean, time: number): void {
    this.publish(session, output.source, EVENT_KIND.output, time, 'normal', {
      type: 'aaep:agent.output.streaming',
      chunk,
      position: output.position,
      complete,
      coalesce_hint: complete ? 'completion' : 'sentence',
      output_id: output.outputId,
      content_type: 'text/plain',
    });
    output.position += codePointLength(chunk);
    if (output.announced.length < MAX_SUMMARY_SOURCE_CHARS) output.announced += chunk;
  }

  /** Announces what is left of a span's output with `complete: true`, exactly once. */
  private finishOutput(info: SpanInfo, time: number): void {
    const session = info.session;
    const output = info.output;
    if (output === undefined) return;
    info.output = undefined;
    if (info.tool === undefined) session.open.delete(info);
    this.publishText(session, output, output.pending, true, time);
    if (output.announced.trim() !== '') session.lastOutput = output.announced;
  }

  private endLlm(info: SpanInfo, record: SpanEndedRecord): void {
    const final = readString(record.attributes, AAEP_LLM_OUTPUT);
    if (final === undefined) return;
    const output = info.output;
    const received = output?.received ?? '';
    // A final attribute that repeats streamed chunks adds only what was not streamed (trailing space is nothing new).
    if (received === '') this.appendOutput(info, final, record.endTime);
    else if (final.startsWith(received) && final.slice(received.length).trim() !== '') {
      this.appendOutput(info, final.slice(received.length), record.endTime);
    }
  }

  private endTool(info: SpanInfo, record: SpanEndedRecord): void {
    const tool = info.tool;
    if (tool === undefined) return;
    const session = info.session;
    info.tool = undefined;
    if (info.output === undefined) session.open.delete(info);
    if (!tool.invoked) {
      if (tool.decision !== 'reject') {
        this.onViolation(
          `Tool "${tool.name}" needs a confirmation but ended without an accepted one; ` +
            'it was not announced with agent.tool.invoked.',
        );
      }
      return;
    }
    this.finishOutput(info, record.endTime);
    const attrs = record.attributes;
    const label = humanizeName(tool.name);
    const errorText = record.status.message ?? readString(attrs, ERROR_TYPE);
    const timedOut =
      readString(attrs, AAEP_TOOL_STATUS) === 'timeout' ||
      (record.status.code === 2 && /timeout|timed out/i.test(errorText ?? ''));
    const status = timedOut ? 'timeout' : record.status.code === 2 ? 'error' : 'success';
    const duration = Math.max(0, Math.round(record.endTime - record.startTime));
    const errorMessage = errorText === undefined ? undefined : truncate(redactText(errorText), 300);
    let terse: string;
    let normal: string;
    if (status === 'success') {
      const result =
        readString(attrs, AAEP_TOOL_RESULT_SUMMARY) !== undefined
          ? truncate(redactText(readString(attrs, AAEP_TOOL_RESULT_SUMMARY)!), 300)
          : describeData(attrs[AAEP_TOOL_RESULT] ?? attrs[GEN_AI_TOOL_CALL_RESULT]);
      terse = sentence(`${label} done`);
      normal = result ? sentence(`${label} finished: ${result}`) : sentence(`${label} finished`);
    } else if (status === 'timeout') {
      terse = sentence(`${label} timed out`);
      normal = sentence(`${label} did not answer in time`);
    } else {
      terse = sentence(`${label} failed`);
      normal = errorMessage ? sentence(`${label} failed: ${errorMessage}`) : sentence(`${label} failed`);
    }
    session.toolInvocations++;
    this.publish(session, info, EVENT_KIND.toolCompleted, record.endTime, 'normal', {
      type: 'aaep:agent.tool.completed',
      tool: tool.name,
      tool_call_id: tool.callId,
      status,
      duration_ms: duration,
      summary_terse: terse,
      summary_normal: normal,
      summary_detailed: `${normal} It took ${describeDuration(duration)}.`,
      ...(status !== 'success' && { error_message: errorMessage ?? (status === 'timeout' ? 'Timed out.' : 'Failed.') }),
    });
  }

  private endSession(session: SessionState, record: SpanEndedRecord): void {
    const attrs = record.attributes;
    const duration = Math.max(0, Math.round(record.endTime - session.startTime));
    const cancelledBy = readEnum(attrs, AAEP_SESSION_CANCELLED_BY, CANCELLED_BY);
    const outcome = readString(attrs, AAEP_SESSION_OUTCOME);
    this.closeSession(session, record.endTime, () => {
      if (outcome === 'cancelled' || cancelledBy !== undefined) {
        const reason = readString(attrs, AAEP_SESSION_CANCEL_REASON);
        const by = cancelledBy ?? 'producer';
        const partial = session.lastOutput.trim();
        return {
          type: 'aaep:agent.session.cancelled',
          cancelled_by: by,
          summary_terse: 'Cancelled.',
          summary_normal: by === 'user' ? 'Cancelled at your request.' : `${session.agentName} stopped before finishing.`,
          ...(reason !== undefined && { cancellation_reason: reasonCode(reason) }),
          ...(partial !== '' && { partial_result: truncate(partial, 500) }),
        };
      }
      if (record.status.code === 2) return this.erroredPayload(session, attrs, record.status.message);
      const explicit = readString(attrs, AAEP_SESSION_RESULT_SUMMARY);
      const tools = session.toolInvocations;
      const toolPhrase = tools === 0 ? '' : ` It used ${tools} ${tools === 1 ? 'tool' : 'tools'}.`;
      const answer = session.lastOutput.trim();
      return {
        type: 'aaep:agent.session.completed',
        summary_terse: 'Done.',
        summary_normal: explicit ? sentence(truncate(redactText(explicit), 500)) : 'Done.',
        summary_detailed: `Finished in ${describeDuration(duration)}.${toolPhrase}`,
        duration_ms: Math.min(duration, 86_400_000),
        tool_invocations_count: tools,
        ...(answer !== '' && { output_summary: truncate(answer, 300) }),
      };
    });
  }

  private erroredPayload(
    session: SessionState,
    attrs: Attributes,
    statusMessage: string | undefined,
  ): Omit<AaepEventOf<'aaep:agent.session.errored'>, EnvelopeKey> {
    const errorType = readString(attrs, ERROR_TYPE);
    const explicitCategory = readEnum(attrs, AAEP_ERROR_CATEGORY, ERROR_CATEGORIES);
    const basis = `${statusMessage ?? ''} ${errorType ?? ''}`;
    const category = explicitCategory ?? (TRANSIENT_ERROR.test(basis) ? 'transient' : 'unknown');
    const message = statusMessage ?? errorType;
    const code = errorCode(readString(attrs, AAEP_ERROR_CODE) ?? errorType);
    const remediation =
      readString(attrs, AAEP_ERROR_REMEDIATION) ??
      (category === 'transient' ? 'Try again in a few moments.' : undefined);
    const readable = message === undefined ? undefined : truncate(redactText(message), 300);
    return {
      type: 'aaep:agent.session.errored',
      error_category: category,
      summary_terse: 'Failed.',
      summary_normal: readable
        ? sentence(`${session.agentName} could not finish: ${readable}`)
        : `${session.agentName} could not finish because of an error.`,
      recoverable: category === 'transient',
      ...(code !== undefined && { error_code: code }),
      ...(remediation !== undefined && { remediation_hint: truncate(redactText(remediation), 300) }),
    };
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
    for (const info of session.open) this.finishOutput(info, time);
    for (const info of session.open) {
      const tool = info.tool;
      if (tool === undefined || !tool.invoked) continue;
      session.toolInvocations++;
      this.publish(session, info, EVENT_KIND.toolCompleted, time, 'normal', {
        type: 'aaep:agent.tool.completed',
        tool: tool.name,
        tool_call_id: tool.callId,
        status: 'timeout',
        duration_ms: Math.max(0, Math.round(time - tool.startTime)),
        summary_terse: sentence(`${humanizeName(tool.name)} abandoned`),
        summary_normal: sentence(`${humanizeName(tool.name)} did not finish before the session ended`),
        error_message: 'Abandoned when the session ended.',
      });
    }
    session.open.clear();
    // Calls announced by a model call whose tool never ran (the framework did not execute it).
    for (const { tool, source } of session.calls.announced.values()) {
      session.toolInvocations++;
      this.publish(session, source, EVENT_KIND.toolCompleted, time, 'normal', {
        type: 'aaep:agent.tool.completed',
        tool: tool.name,
        tool_call_id: tool.callId,
        status: 'timeout',
        duration_ms: Math.max(0, Math.round(time - tool.startTime)),
        summary_terse: sentence(`${humanizeName(tool.name)} not run`),
        summary_normal: sentence(`${humanizeName(tool.name)} was not run before the session ended`),
        error_message: 'Not run before the session ended.',
      });
    }
    session.calls.announced.clear();
    const payload = terminal();
    const urgency = payload.type === 'aaep:agent.session.errored' ? 'critical' : 'normal';
    this.publish(session, session.root!, EVENT_KIND.terminal, time, urgency, payload);
    session.closed = true;
    session.handle.session = undefined;
    this.sessions.delete(session);
    this.sessionBound.observe(this.sessions.size, this.maxSessions);
    this.asking.delete(session);
    this.onSessionClosed(session.sessionId);
  }

  private changeState(info: SpanInfo, to: AgentState, time: number, activity?: string, summary?: string): void {
    const session = info.session;
    if (session.state === to) return;
    const from = session.state;
    session.state = to;
    const phrase = STATE_PHRASES[to];
    session.lastState = this.publish(session, info, EVENT_KIND.state, time, summary === undefined ? 'background' : 'normal', {
      type: 'aaep:agent.state.changed',
      from_state: from,
      to_state: to,
      summary_terse: phrase.terse,
      summary_normal: summary ?? phrase.normal,
      ...(activity !== undefined && { summary_detailed: sentence(`${phrase.normal.replace(/\.$/, '')}: ${activity}`) }),
    });
  }

  private publish(
    session: SessionState,
    source: SpanInfo,
    kind: EventKindCode,
    time: number,
    urgency: 'background' | 'normal' | 'critical',
    payload: Payload,
  ): AaepEvent {
    // Timestamps never go backwards within a session (spec §3.2.5), even when spans end out of order.
    if (time > session.lastTime) session.lastTime = time;
    const millis = Math.floor(session.lastTime);
    if (millis !== session.isoMillis) {
      session.isoMillis = millis;
      session.iso = new Date(millis).toISOString();
    }
    const ordinal = source.ordinals[kind] ?? 0;
    source.ordinals[kind] = ordinal + 1;
    source.correlation ??= traceparentFor(session.traceId, source.spanId, source.traceFlags);
    const event = {
      '@context': AAEP_CONTEXT,
      aaep_version: AAEP_VERSION,
      event_id: eventIdFor(session.traceId, source.spanId, kind, ordinal),
      session_id: session.sessionId,
      sequence_number: session.sequence++,
      timestamp: session.iso,
      producer: this.producer,
      urgency,
      localization_hints: session.localization,
      correlation_id: source.correlation,
      ...payload,
    } as AaepEvent;
    this.emitEvent(event);
    return event;
  }
}

type EnvelopeKey =
  | '@context'
  | 'aaep_version'
  | 'event_id'
  | 'session_id'
  | 'sequence_number'
  | 'timestamp'
  | 'producer'
  | 'urgency'
  | 'localization_hints'
  | 'correlation_id';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type Payload = DistributiveOmit<AaepEvent, EnvelopeKey>;

type TerminalPayload =
  | Omit<AaepEventOf<'aaep:agent.session.completed'>, EnvelopeKey>
  | Omit<AaepEventOf<'aaep:agent.session.errored'>, EnvelopeKey>
  | Omit<AaepEventOf<'aaep:agent.session.cancelled'>, EnvelopeKey>;

/** Stands for any finished session: spans under it are followed until they end and emit nothing. */
const CLOSED: SessionState = {
  handle: { session: undefined },
  sessionId: '',
  traceId: '',
  rootSpanId: '',
  startTime: 0,
  agentName: '',
  language: '',
  localization: { primary_language: 'en' },
  sequence: 0,
  lastTime: 0,
  isoMillis: -1,
  iso: '',
  state: 'idle',
  questions: [],
  closed: true,
  toolInvocations: 0,
  lastOutput: '',
  open: new Set(),
  spanCount: 0,
  spansRefused: false,
  calls: { announced: new Map(), ran: new Set() },
};

/** Stands for a span refused at a bound: it and the spans under it are not followed. */
const REFUSED: SessionState = { ...CLOSED, handle: { session: undefined }, open: new Set(), calls: { announced: new Map(), ran: new Set() } };
REFUSED.handle.session = REFUSED;

/** The record with framework conventions mapped onto aaep.* (the same record when none apply). */
function withConventions<R extends SpanStartedRecord | SpanEndedRecord>(record: R): R {
  const attributes = normalizeAttributes(record.attributes, record.name);
  return attributes === record.attributes ? record : { ...record, attributes };
}

/** A tool name that matches the schema's identifier pattern. */
function toolNameOf(spanName: string, attrs: Attributes): string {
  const raw = redactText(readString(attrs, AAEP_TOOL_NAME, GEN_AI_TOOL_NAME) ?? spanName.replace(/^execute_tool\s+/, ''));
  let name = raw.trim().replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 256);
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`.slice(0, 256);
  return name;
}

/** `cancellation_reason` must look like `user_pressed_escape`. */
function reasonCode(reason: string): string {
  const code = reason
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  return code.length >= 2 ? code : 'unspecified';
}

/** `error_code` must look like `TOOL_TIMEOUT`. */
function errorCode(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const code = raw
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^[^A-Z]+/, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  return code.length >= 2 ? code : undefined;
}
