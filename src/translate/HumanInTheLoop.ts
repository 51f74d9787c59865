import type { AaepEvent } from '../protocol/index.js';
import type { SpanEventRecord } from '../records.js';
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
  AAEP_TOOL_RISK_LEVEL,
} from '../semconv/attributes.js';
import { readBoolean, readEnum, readNumber, readString, readStringArray } from '../semconv/readAttributes.js';
import { EVENT_KIND } from './ids.js';
import { humanizeName } from './describe.js';
import { truncate } from './textShape.js';
import { redactText } from './redact/redact.js';
import { RISK_LEVELS, type DeadlinePhrase, type SessionState, type SpanInfo } from './SessionState.js';
import type { TranslateContext } from './TranslateContext.js';
import { changeState } from './changeState.js';
import { announceTool } from './ToolCalls.js';
import { phrase, type Text } from './messages/Phrase.js';

const DECISIONS = ['accept', 'reject'] as const;
const REPLY_TOKEN = /^rpl_[A-Za-z0-9]{1,64}$/;
const RESPONSE_KINDS = ['freetext', 'yes_no', 'multiple_choice', 'numeric'] as const;
type ResponseKindName = (typeof RESPONSE_KINDS)[number];

export function clarificationRequested(ctx: TranslateContext, info: SpanInfo, record: SpanEventRecord): void {
  const attrs = record.attributes;
  const token = readString(attrs, AAEP_CLARIFICATION_REPLY_TOKEN);
  const rawQuestion = readString(attrs, AAEP_CLARIFICATION_QUESTION);
  if (token === undefined || !REPLY_TOKEN.test(token) || rawQuestion === undefined || info.clarification !== undefined) {
    ctx.onViolation('aaep.clarification.requested needs a reply token (rpl_…) and a question; ignored.');
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
  changeState(ctx, info, 'awaiting_input', record.time, question);
  const normal = phrase.question(question, choices.map((c) => c.label));
  const contextWords = context ? truncate(redactText(context), 1000) : undefined;
  const deadlinePhrase: DeadlinePhrase = { kind: 'clarification', normal, context: contextWords };
  const event = ctx.publish(info.session, info, EVENT_KIND.clarification, record.time, 'critical', {
    type: 'aaep:agent.awaiting.clarification',
    question,
    reply_token: token,
    timeout_seconds: timeout,
    summary_terse: truncate(question, 200),
    summary_normal: normal,
    summary_detailed: detailedFor(deadlinePhrase, timeout),
    ...(kinds !== undefined && kinds.length > 0 && { accepted_response_kinds: [...new Set(kinds)] }),
    ...(choices.length >= 2 && { choices }),
    ...(context !== undefined && { context: truncate(redactText(context), 4000) }),
    ...(defaultResponse !== undefined && { default_response: truncate(redactText(defaultResponse), 4000) }),
  });
  ask(ctx, info, token, event, record.time + timeout * 1000, deadlinePhrase);
  ctx.onReplyRequested?.({
    kind: 'clarification',
    token,
    sessionId: info.session.sessionId,
    issuedAt: record.time,
    timeoutSeconds: timeout,
    acceptedKinds: kinds !== undefined && kinds.length > 0 ? kinds : ['freetext'],
    choices: choices.map((choice) => choice.value),
  });
}

export function clarificationResolved(ctx: TranslateContext, info: SpanInfo, record: SpanEventRecord): void {
  if (info.clarification === undefined) return;
  answered(ctx, info.session, info.clarification.token);
  info.clarification = undefined;
  const by = readString(record.attributes, AAEP_CLARIFICATION_BY);
  const response = readString(record.attributes, AAEP_CLARIFICATION_RESPONSE);
  const answer = response === undefined ? undefined : truncate(redactText(response), 200);
  const summary =
    by === 'user'
      ? phrase.youAnswered(answer)
      : by === 'cancelled'
        ? phrase.questionCancelled()
        : answer !== undefined
          ? phrase.noAnswerDefault(answer)
          : phrase.noAnswer();
  changeState(ctx, info, 'thinking', record.time, undefined, summary);
}

export function confirmationRequested(ctx: TranslateContext, info: SpanInfo, record: SpanEventRecord): void {
  const attrs = record.attributes;
  const token = readString(attrs, AAEP_CONFIRMATION_REPLY_TOKEN);
  const rawAction = readString(attrs, AAEP_CONFIRMATION_ACTION);
  if (token === undefined || !REPLY_TOKEN.test(token) || rawAction === undefined || info.confirmation !== undefined) {
    ctx.onViolation('aaep.confirmation.requested needs a reply token (rpl_…) and an action; ignored.');
    return;
  }
  const action = truncate(redactText(rawAction), 1000);
  const givenConsequence = readString(attrs, AAEP_CONFIRMATION_CONSEQUENCE);
  const consequence = givenConsequence === undefined ? phrase.defaultConsequence() : truncate(redactText(givenConsequence), 1000);
  const risk = readEnum(attrs, AAEP_CONFIRMATION_RISK_LEVEL, RISK_LEVELS) ?? readEnum(info.tool?.attributes ?? {}, AAEP_TOOL_RISK_LEVEL, RISK_LEVELS);
  const irreversible = readBoolean(attrs, AAEP_CONFIRMATION_IRREVERSIBLE) ?? info.tool?.irreversible ?? false;
  let defaultDecision = readEnum(attrs, AAEP_CONFIRMATION_DEFAULT_DECISION, DECISIONS) ?? 'reject';
  // Spec §6.4.1: irreversible medium/high risk actions default to reject, whatever the caller asked.
  if (irreversible && (risk === 'high' || risk === 'medium')) defaultDecision = 'reject';
  const timeout = Math.min(86_400, Math.max(1, Math.round(readNumber(attrs, AAEP_CONFIRMATION_TIMEOUT_SECONDS) ?? 120)));
  const allowed = readStringArray(attrs, AAEP_CONFIRMATION_ALLOWED_REPLIES)?.slice(0, 32);
  info.confirmation = { token, action };
  changeState(ctx, info, 'awaiting_input', record.time, action);
  const normal = phrase.confirmationNeeded(action, consequence, irreversible);
  const deadlinePhrase: DeadlinePhrase = { kind: 'confirmation', normal, defaultDecision };
  const event = ctx.publish(info.session, info, EVENT_KIND.confirmation, record.time, 'critical', {
    type: 'aaep:agent.awaiting.confirmation',
    action,
    consequence,
    reply_token: token,
    timeout_seconds: timeout,
    default_decision: defaultDecision,
    summary_terse: phrase.confirmShort(truncate(action, 80)),
    summary_normal: normal,
    summary_detailed: detailedFor(deadlinePhrase, timeout),
    ...(risk !== undefined && { risk_level: risk }),
    ...(irreversible && { irreversible: true, reversibility: 'irreversible' as const }),
    ...(allowed !== undefined && { allowed_replies: [...new Set(allowed)] }),
  });
  ask(ctx, info, token, event, record.time + timeout * 1000, deadlinePhrase);
  ctx.onReplyRequested?.({
    kind: 'confirmation',
    token,
    sessionId: info.session.sessionId,
    issuedAt: record.time,
    timeoutSeconds: timeout,
    allowedDecisions: allowed ?? ['accept', 'reject'],
  });
}

/** Spec §6.7.2: the outcome is announced as a state change away from `awaiting_input`. */
export function confirmationResolved(ctx: TranslateContext, info: SpanInfo, record: SpanEventRecord): void {
  const pending = info.confirmation;
  if (pending === undefined) return;
  answered(ctx, info.session, pending.token);
  info.confirmation = undefined;
  const decision = readString(record.attributes, AAEP_CONFIRMATION_DECISION);
  const by = readString(record.attributes, AAEP_CONFIRMATION_BY);
  const tool = info.tool;
  const action = truncate(pending.action, 120).replace(/[.!?…]$/, '');
  if (decision === 'accept') {
    const summary = phrase.accepted(action, by === 'timeout');
    if (tool !== undefined && !tool.invoked) {
      tool.decision = 'accept';
      changeState(ctx, info, 'calling_tool', record.time, humanizeName(tool.name), summary);
      announceTool(ctx, info, tool.attributes, record.time);
    } else {
      changeState(ctx, info, 'thinking', record.time, undefined, summary);
    }
    return;
  }
  if (tool !== undefined) tool.decision = 'reject';
  changeState(ctx, info, 'thinking', record.time, undefined, phrase.rejected(action, by));
}

/** Keeps an open question for late subscribers until it is resolved or its span ends. */
function ask(ctx: TranslateContext, info: SpanInfo, token: string, event: AaepEvent, deadline: number, deadlinePhrase: DeadlinePhrase): void {
  if (event.type !== 'aaep:agent.awaiting.confirmation' && event.type !== 'aaep:agent.awaiting.clarification') return;
  info.session.questions.push({ token, event, deadline, deadlinePhrase });
  ctx.asking.add(info.session);
}

/** A question's `summary_detailed` with `seconds` left. */
export function detailedFor(deadlinePhrase: DeadlinePhrase, seconds: number): Text {
  return deadlinePhrase.kind === 'confirmation'
    ? phrase.confirmationDeadline(deadlinePhrase.normal, seconds, deadlinePhrase.defaultDecision)
    : phrase.questionDeadline(deadlinePhrase.normal, deadlinePhrase.context, seconds);
}

export function answered(ctx: TranslateContext, session: SessionState, token: string): void {
  const index = session.questions.findIndex((question) => question.token === token);
  if (index >= 0) session.questions.splice(index, 1);
  if (session.questions.length === 0) ctx.asking.delete(session);
}

