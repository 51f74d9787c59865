import type { AaepEvent, AaepEventOf } from '../protocol/index.js';
import type { Attributes } from '../records.js';
import type { SpanRole } from '../semconv/classifySpan.js';
import type { EventKindCode } from './ids.js';
import { phraseLanguageOf, type PhraseLanguage } from './messages/catalog.js';
import type { LocalizedField } from './messages/EventPhrases.js';
import type { Text } from './messages/Phrase.js';

export type AgentState =
  | 'idle'
  | 'thinking'
  | 'calling_tool'
  | 'writing_output'
  | 'awaiting_input'
  | 'deciding'
  | 'handing_off';

export interface OutputState {
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

export interface ToolState {
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
export interface PendingQuestion {
  readonly token: string;
  readonly event: AaepEventOf<'aaep:agent.awaiting.confirmation'> | AaepEventOf<'aaep:agent.awaiting.clarification'>;
  /** Deadline in the translator's clock (ms). */
  readonly deadline: number;
  /** What `summary_detailed` says, for any time left: data, so a question's state can cross a thread. */
  readonly deadlinePhrase: DeadlinePhrase;
}

/** The words of a question's `summary_detailed` but its time left. */
export type DeadlinePhrase =
  | { readonly kind: 'confirmation'; readonly normal: Text; readonly defaultDecision: 'accept' | 'reject' }
  | { readonly kind: 'clarification'; readonly normal: Text; readonly context: Text | undefined };

/**
 * What outlives a session in the bounded memory of recently ended spans: a
 * pointer to the session while it is open, nothing once it is closed, so a
 * finished session's state can be collected young.
 */
export interface SessionHandle {
  session: SessionState | undefined;
}

export interface SessionState {
  readonly handle: SessionHandle;
  readonly sessionId: string;
  readonly traceId: string;
  readonly rootSpanId: string;
  /** The session span; stays reachable after the span itself ends. */
  root?: SpanInfo;
  readonly startTime: number;
  readonly agentName: Text;
  readonly language: string;
  /** The catalog its phrases are said in on the shared stream: its own language when we have phrases in it, else English. */
  readonly phraseLanguage: PhraseLanguage;
  /** Who the session belongs to (`enduser.id`, else `aaep.session.requested_by`): only they and the operator hear it. */
  readonly principal: string | undefined;
  readonly localization: { readonly primary_language: string };
  sequence: number;
  lastTime: number;
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
export interface AnnouncedCall {
  readonly tool: ToolState;
  readonly source: SpanInfo;
}

/** What the translator keeps per span: small, and freed when the span ends. */
export interface SpanInfo {
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

export type EnvelopeKey =
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

/** An event's fields with its text fields as phrases or the agent's words, not yet said in a language. */
export type Draft<T> = T extends unknown ? { [K in keyof T]: K extends LocalizedField ? T[K] | Text : T[K] } : never;

/** An event without its envelope, as the parts of the translator write them. */
export type Payload = Draft<DistributiveOmit<AaepEvent, EnvelopeKey>>;

export type TerminalPayload = Draft<
  | Omit<AaepEventOf<'aaep:agent.session.completed'>, EnvelopeKey>
  | Omit<AaepEventOf<'aaep:agent.session.errored'>, EnvelopeKey>
  | Omit<AaepEventOf<'aaep:agent.session.cancelled'>, EnvelopeKey>
>;

/** Risk and urgency levels, as the wire spells them. */
export const RISK_LEVELS = ['low', 'medium', 'high'] as const;

/** A session's state as it opens: idle, nothing emitted yet. */
export function newSessionState(
  init: Pick<SessionState, 'sessionId' | 'traceId' | 'rootSpanId' | 'startTime' | 'agentName' | 'language'> & { readonly principal?: string | undefined },
): SessionState {
  return {
    handle: { session: undefined },
    ...init,
    principal: init.principal,
    localization: { primary_language: init.language },
    phraseLanguage: phraseLanguageOf(init.language) ?? 'en',
    sequence: 0,
    lastTime: init.startTime,
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
}

/** Stands for any finished session: spans under it are followed until they end and emit nothing. */
export const CLOSED: SessionState = {
  ...newSessionState({ sessionId: '', traceId: '', rootSpanId: '', startTime: 0, agentName: '', language: 'en' }),
  closed: true,
};

/** Stands for a span refused at a bound: it and the spans under it are not followed. */
export const REFUSED: SessionState = { ...CLOSED, handle: { session: undefined }, open: new Set(), calls: { announced: new Map(), ran: new Set() } };
REFUSED.handle.session = REFUSED;
