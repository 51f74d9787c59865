import { diag, type Span } from '@opentelemetry/api';
import { awaitReply } from './awaitReply.js';
import {
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
  AAEP_EVENT_CONFIRMATION_RESOLVED,
  AAEP_TOOL_ARGS_SUMMARY,
  AAEP_TOOL_IRREVERSIBLE,
  AAEP_TOOL_RISK_LEVEL,
} from '../semconv/attributes.js';
import { findRuntime } from './runtime.js';

export type RiskLevel = 'low' | 'medium' | 'high';
export type Decision = 'accept' | 'reject';

export interface ConfirmOptions {
  /** What the agent wants to do, e.g. "Transfer 500 NOK to Bob's savings account." */
  readonly action: string;
  /** What happens if it goes ahead, e.g. "The money leaves your account today and cannot be recalled." */
  readonly consequence: string;
  /** Default: the span's `aaep.tool.risk_level`, else high when irreversible, else low. */
  readonly riskLevel?: RiskLevel;
  /** Default: the span's `aaep.tool.irreversible`, else false. */
  readonly irreversible?: boolean;
  /** Default: the spec's recommendation for the risk (§6.4.2), 60 to 300 seconds. */
  readonly timeoutSeconds?: number;
  /** Applied on timeout. Forced to reject for irreversible medium or high risk. Default reject. */
  readonly defaultDecision?: Decision;
  readonly allowedReplies?: readonly Decision[];
  /** Arguments in words, e.g. "to: Bob, amount: 500 NOK". */
  readonly argsSummary?: string;
  /** Aborting settles the wait as cancelled (reject). */
  readonly signal?: AbortSignal;
}

export interface ConfirmDecision {
  readonly decision: Decision;
  /**
   * `user`: a subscriber answered; `timeout`: the default decision applied;
   * `cancelled`: the session was cancelled or the signal aborted;
   * `unavailable`: nothing follows this span, so nobody could be asked.
   */
  readonly by: 'user' | 'timeout' | 'cancelled' | 'unavailable';
  /** The reply's `decided_by`, when the user answered. */
  readonly decidedBy?: string;
  readonly rationale?: string;
}

/** Spec §6.4.2 recommendations, the upper end for irreversible actions. */
export function recommendedTimeoutSeconds(risk: RiskLevel, irreversible: boolean): number {
  if (irreversible) return risk === 'high' ? 300 : 120;
  return risk === 'high' ? 180 : risk === 'medium' ? 90 : 60;
}

/**
 * Asks the user to confirm an action and waits for the answer (spec chapter 6).
 * Call it on the tool span before the tool does anything; go ahead only on
 * `accept`. The safety rules hold whatever is passed: irreversible medium or high
 * risk defaults to reject, tokens are single-use, and nothing but an allowed
 * decision from an authenticated reply before the deadline counts.
 */
export function confirm(span: Span, options: ConfirmOptions): Promise<ConfirmDecision> {
  const spanAttributes = attributesOf(span);
  const irreversible = options.irreversible ?? spanAttributes[AAEP_TOOL_IRREVERSIBLE] === true;
  const spanRisk = spanAttributes[AAEP_TOOL_RISK_LEVEL];
  const risk: RiskLevel =
    options.riskLevel ?? (spanRisk === 'low' || spanRisk === 'medium' || spanRisk === 'high' ? spanRisk : irreversible ? 'high' : 'low');
  const mustReject = irreversible && (risk === 'high' || risk === 'medium');
  if (mustReject && options.defaultDecision === 'accept') {
    diag.warn(`aaep-otel: confirm(): "${options.action}" is irreversible with ${risk} risk; its default decision is reject.`);
  }
  const defaultDecision: Decision = mustReject ? 'reject' : (options.defaultDecision ?? 'reject');
  const allowed = options.allowedReplies?.length ? [...new Set(options.allowedReplies)] : ['accept', 'reject'];
  const requested = options.timeoutSeconds ?? recommendedTimeoutSeconds(risk, irreversible);
  const timeoutSeconds = Math.min(86_400, Math.max(1, Math.round(Number.isFinite(requested) ? requested : 60)));

  const found = span.isRecording() ? findRuntime(span) : undefined;
  if (found === undefined) {
    diag.warn(`aaep-otel: confirm(): no AaepSpanProcessor follows this span; "${options.action}" gets its default decision (${defaultDecision}).`);
    return Promise.resolve({ decision: defaultDecision, by: 'unavailable' });
  }
  return awaitReply<ConfirmDecision>({
    span,
    runtime: found.runtime,
    session: found.session,
    timeoutSeconds,
    signal: options.signal,
    waitingFor: `to confirm: ${options.action.replace(/[.!?]+$/, '')}`,
    requestEvent: AAEP_EVENT_CONFIRMATION_REQUESTED,
    resolvedEvent: AAEP_EVENT_CONFIRMATION_RESOLVED,
    requestAttributes: (token) => ({
      [AAEP_CONFIRMATION_REPLY_TOKEN]: token,
      [AAEP_CONFIRMATION_ACTION]: options.action,
      [AAEP_CONFIRMATION_CONSEQUENCE]: options.consequence,
      [AAEP_CONFIRMATION_RISK_LEVEL]: risk,
      [AAEP_CONFIRMATION_IRREVERSIBLE]: irreversible,
      [AAEP_CONFIRMATION_TIMEOUT_SECONDS]: timeoutSeconds,
      [AAEP_CONFIRMATION_DEFAULT_DECISION]: defaultDecision,
      [AAEP_CONFIRMATION_ALLOWED_REPLIES]: allowed,
      ...(options.argsSummary !== undefined && { [AAEP_TOOL_ARGS_SUMMARY]: options.argsSummary }),
    }),
    resolvedAttributes: (result) => ({ [AAEP_CONFIRMATION_DECISION]: result.decision, [AAEP_CONFIRMATION_BY]: result.by }),
    pending: (base) => ({ ...base, kind: 'confirmation', allowedDecisions: new Set(allowed) }),
    onReply: (reply) => {
      if (reply.type !== 'confirmation.reply') return { decision: 'reject', by: 'user' };
      // Spec §6.3.2: a negotiated change we cannot apply counts as a rejection.
      const decision: Decision = reply.modified_action !== undefined ? 'reject' : reply.decision;
      return {
        decision,
        by: 'user',
        ...(reply.decided_by !== undefined && { decidedBy: reply.decided_by }),
        ...(reply.decision_rationale !== undefined && { rationale: reply.decision_rationale }),
      };
    },
    onTimeout: () => ({ decision: defaultDecision, by: 'timeout' }),
    onCancel: () => ({ decision: 'reject', by: 'cancelled' }),
  });
}

/** The attributes of an SDK span, when the span is one (the API type does not expose them). */
export function attributesOf(span: Span): Record<string, unknown> {
  const attributes = (span as unknown as { attributes?: unknown }).attributes;
  return typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : {};
}
