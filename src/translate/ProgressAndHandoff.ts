import type { SpanEventRecord } from '../records.js';
import {
  AAEP_HANDOFF_REASON,
  AAEP_HANDOFF_SUMMARY,
  AAEP_HANDOFF_TARGET_KIND,
  AAEP_HANDOFF_TARGET_URI,
  AAEP_HANDOFF_URGENCY,
  AAEP_PROGRESS_DESCRIPTION,
  AAEP_PROGRESS_PERCENT,
  AAEP_PROGRESS_SECONDS_LEFT,
  AAEP_PROGRESS_STEP,
  AAEP_PROGRESS_TOTAL_STEPS,
} from '../semconv/attributes.js';
import { readEnum, readNumber, readString } from '../semconv/readAttributes.js';
import { EVENT_KIND } from './ids.js';
import { sentence, truncate } from './textShape.js';
import { redactText } from './redact/redact.js';
import { RISK_LEVELS, type SpanInfo } from './SessionState.js';
import type { TranslateContext } from './TranslateContext.js';
import { changeState } from './changeState.js';
import { joined, phrase, type Text } from './messages/Phrase.js';

const HANDOFF_TARGETS = ['human', 'specialist_agent', 'escalation_queue'] as const;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;

export function progress(ctx: TranslateContext, info: SpanInfo, record: SpanEventRecord): void {
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
      ? phrase.percent(progress.percent)
      : progress.step !== undefined
        ? phrase.step(progress.step, progress.total_steps)
        : undefined;
  ctx.publish(info.session, info, EVENT_KIND.progress, record.time, 'background', {
    type: 'aaep:agent.progress.updated',
    progress,
    summary_terse: phrase.progressTerse(amount),
    summary_normal: phrase.progressNormal(reminder(info, readNumber(attrs, AAEP_PROGRESS_SECONDS_LEFT)) ?? description, amount),
  });
}

/** A confirm() or clarify() countdown on the span asking: said from the question, in every language. */
function reminder(info: SpanInfo, secondsLeft: number | undefined): Text | undefined {
  if (secondsLeft === undefined || !Number.isFinite(secondsLeft) || secondsLeft < 0) return undefined;
  const seconds = Math.round(secondsLeft);
  const bare = (text: string) => text.replace(/[.!?…]+$/, '');
  if (info.confirmation !== undefined) return phrase.secondsLeftToConfirm(seconds, bare(info.confirmation.action));
  if (info.clarification !== undefined) return phrase.secondsLeftToAnswer(seconds, bare(info.clarification.question));
  return undefined;
}

export function handoffRequested(ctx: TranslateContext, info: SpanInfo, record: SpanEventRecord): void {
  const attrs = record.attributes;
  const reason = readString(attrs, AAEP_HANDOFF_REASON);
  const target = readEnum(attrs, AAEP_HANDOFF_TARGET_KIND, HANDOFF_TARGETS);
  if (reason === undefined || target === undefined) {
    ctx.onViolation('aaep.handoff.requested needs a reason and a target kind (human, specialist_agent, escalation_queue); ignored.');
    return;
  }
  const summary = readString(attrs, AAEP_HANDOFF_SUMMARY);
  const uri = readString(attrs, AAEP_HANDOFF_TARGET_URI);
  const urgency = readEnum(attrs, AAEP_HANDOFF_URGENCY, RISK_LEVELS);
  const who = phrase.handoffTarget(target);
  changeState(ctx, info, 'handing_off', record.time, who);
  const normal = summary ? sentence(truncate(redactText(summary), 1000)) : phrase.handingOverTo(who);
  ctx.publish(info.session, info, EVENT_KIND.handoff, record.time, 'critical', {
    type: 'aaep:agent.handoff.requested',
    reason: truncate(redactText(reason), 4000),
    target_kind: target,
    summary_terse: phrase.handingOverTo(who),
    summary_normal: normal,
    summary_detailed: joined([normal, sentence(truncate(redactText(reason), 1000))]),
    ...(uri !== undefined && URI.test(uri) && redactText(uri) === uri && { target_uri: uri }),
    ...(urgency !== undefined && { urgency_for_handoff: urgency }),
  });
}

