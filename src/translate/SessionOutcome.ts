import type { Attributes, SpanEndedRecord } from '../records.js';
import {
  AAEP_ERROR_CATEGORY,
  AAEP_ERROR_CODE,
  AAEP_ERROR_REMEDIATION,
  AAEP_SESSION_CANCELLED_BY,
  AAEP_SESSION_CANCEL_REASON,
  AAEP_SESSION_OUTCOME,
  AAEP_SESSION_RESULT_SUMMARY,
  ERROR_TYPE,
} from '../semconv/attributes.js';
import { readEnum, readString } from '../semconv/readAttributes.js';
import { sentence, truncate } from './textShape.js';
import { redactText } from './redact/redact.js';
import type { SessionState, TerminalPayload } from './SessionState.js';
import { phrase } from './messages/Phrase.js';

const ERROR_CATEGORIES = ['transient', 'permanent', 'requires_user', 'unknown'] as const;
const CANCELLED_BY = ['user', 'producer', 'timeout', 'system'] as const;
const TRANSIENT_ERROR = /timeout|timed out|rate.?limit|429|503|unavailable|overloaded|econnreset|econnrefused/i;

/**
 * The terminal event of a session whose span ended: cancelled, errored or
 * completed. Called once the session's outputs are finished, since the summary
 * quotes the last answer.
 */
export function sessionOutcome(session: SessionState, record: SpanEndedRecord): TerminalPayload {
  const attrs = record.attributes;
  const duration = Math.max(0, Math.round(record.endTime - session.startTime));
  const cancelledBy = readEnum(attrs, AAEP_SESSION_CANCELLED_BY, CANCELLED_BY);
  const outcome = readString(attrs, AAEP_SESSION_OUTCOME);
  if (outcome === 'cancelled' || cancelledBy !== undefined) {
    const reason = readString(attrs, AAEP_SESSION_CANCEL_REASON);
    const by = cancelledBy ?? 'producer';
    const partial = session.lastOutput.trim();
    return {
      type: 'aaep:agent.session.cancelled',
      cancelled_by: by,
      summary_terse: phrase.cancelled(),
      summary_normal: by === 'user' ? phrase.cancelledByYou() : phrase.stoppedBeforeFinishing(session.agentName),
      ...(reason !== undefined && { cancellation_reason: reasonCode(reason) }),
      ...(partial !== '' && { partial_result: truncate(partial, 500) }),
    };
  }
  if (record.status.code === 2) return erroredPayload(session, attrs, record.status.message);
  const explicit = readString(attrs, AAEP_SESSION_RESULT_SUMMARY);
  const tools = session.toolInvocations;
  const answer = session.lastOutput.trim();
  return {
    type: 'aaep:agent.session.completed',
    summary_terse: phrase.done(),
    summary_normal: explicit ? sentence(truncate(redactText(explicit), 500)) : phrase.done(),
    summary_detailed: phrase.finishedIn(duration, tools),
    duration_ms: Math.min(duration, 86_400_000),
    tool_invocations_count: tools,
    ...(answer !== '' && { output_summary: truncate(answer, 300) }),
  };
}

function erroredPayload(session: SessionState, attrs: Attributes, statusMessage: string | undefined): TerminalPayload {
  const errorType = readString(attrs, ERROR_TYPE);
  const explicitCategory = readEnum(attrs, AAEP_ERROR_CATEGORY, ERROR_CATEGORIES);
  const basis = `${statusMessage ?? ''} ${errorType ?? ''}`;
  const category = explicitCategory ?? (TRANSIENT_ERROR.test(basis) ? 'transient' : 'unknown');
  const message = statusMessage ?? errorType;
  const code = errorCode(readString(attrs, AAEP_ERROR_CODE) ?? errorType);
  const givenRemediation = readString(attrs, AAEP_ERROR_REMEDIATION);
  const remediation =
    givenRemediation !== undefined ? truncate(redactText(givenRemediation), 300) : category === 'transient' ? phrase.tryAgain() : undefined;
  const readable = message === undefined ? undefined : truncate(redactText(message), 300);
  return {
    type: 'aaep:agent.session.errored',
    error_category: category,
    summary_terse: phrase.failed(),
    summary_normal: readable ? phrase.couldNotFinish(session.agentName, readable) : phrase.couldNotFinishError(session.agentName),
    recoverable: category === 'transient',
    ...(code !== undefined && { error_code: code }),
    ...(remediation !== undefined && { remediation_hint: remediation }),
  };
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
