import type { Attributes, SpanEndedRecord, SpanEventRecord, SpanStartedRecord } from '../records.js';
import {
  AAEP_TOOL_ARGS_SUMMARY,
  AAEP_TOOL_ARGUMENTS,
  AAEP_TOOL_DESCRIPTION,
  AAEP_TOOL_EXPECTED_DURATION_MS,
  AAEP_TOOL_IRREVERSIBLE,
  AAEP_TOOL_NAME,
  AAEP_TOOL_REQUIRES_CONFIRMATION,
  AAEP_TOOL_RESULT,
  AAEP_TOOL_RESULT_SUMMARY,
  AAEP_TOOL_RISK_LEVEL,
  AAEP_TOOL_STATUS,
  AAEP_TOOL_SUMMARY,
  ERROR_TYPE,
  GEN_AI_OPERATION_NAME,
  GEN_AI_TOOL_CALL_ARGUMENTS,
  GEN_AI_TOOL_CALL_ID,
  GEN_AI_TOOL_CALL_RESULT,
  GEN_AI_TOOL_DESCRIPTION,
  GEN_AI_TOOL_NAME,
} from '../semconv/attributes.js';
import { normalizeAttributes } from '../semconv/normalizeAttributes.js';
import { readBoolean, readEnum, readNumber, readString } from '../semconv/readAttributes.js';
import { EVENT_KIND, toolCallIdFor } from './ids.js';
import { describeData, humanizeName } from './describe.js';
import { sentence, truncate } from './textShape.js';
import { redactText } from './redact/redact.js';
import { RISK_LEVELS, type SessionState, type SpanInfo, type ToolState } from './SessionState.js';
import type { TranslateContext } from './TranslateContext.js';
import { changeState } from './changeState.js';
import { finishOutput } from './OutputStream.js';
import { joined, phrase, type Text } from './messages/Phrase.js';

/** Announced tool calls waiting for their tool span, and call ids remembered, per session. */
const MAX_ANNOUNCED_CALLS = 64;
const MAX_RAN_CALLS = 256;

export function startTool(ctx: TranslateContext, info: SpanInfo, record: SpanStartedRecord): void {
  const attrs = record.attributes;
  if (claimAnnouncedCall(ctx, info, record)) return;
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
  if (!tool.held) announceTool(ctx, info, attrs, record.startTime);
}

/**
 * A tool span whose call its model call already announced takes that call over
 * (same tool_call_id, no second `tool.invoked`); one that runs first is remembered
 * so a later announcement of it is ignored.
 */
function claimAnnouncedCall(ctx: TranslateContext, info: SpanInfo, record: SpanStartedRecord): boolean {
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
    ctx.onViolation(`Tool "${announced.tool.name}" asks for confirmation but its call was announced before it ran; do not announce it early.`);
  }
  info.tool = { ...announced.tool, startTime: record.startTime };
  info.session.open.add(info);
  changeState(ctx, info, 'calling_tool', record.startTime, humanizeName(announced.tool.name));
  return true;
}

/**
 * `aaep.tool.call_announced` on a model-call span: the call is announced now, as
 * its tool span would announce it (same summary), and completed by that span.
 */
export function toolCallAnnounced(ctx: TranslateContext, info: SpanInfo, record: SpanEventRecord): void {
  const attrs = record.attributes;
  const callId = readString(attrs, GEN_AI_TOOL_CALL_ID);
  const name = readString(attrs, GEN_AI_TOOL_NAME);
  if (callId === undefined || name === undefined) {
    ctx.onViolation('aaep.tool.call_announced needs gen_ai.tool.call.id and gen_ai.tool.name; ignored.');
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
  announceTool(ctx, info, toolAttrs, record.time, tool);
}

export function announceTool(ctx: TranslateContext, info: SpanInfo, attrs: Attributes, time: number, tool: ToolState = info.tool!): void {
  const session = info.session;
  tool.invoked = true;
  const label = humanizeName(tool.name);
  changeState(ctx, info, 'calling_tool', time, label);
  const explicit = readString(attrs, AAEP_TOOL_SUMMARY);
  const argsSummary =
    readString(attrs, AAEP_TOOL_ARGS_SUMMARY) !== undefined
      ? truncate(redactText(readString(attrs, AAEP_TOOL_ARGS_SUMMARY)!), 500)
      : describeData(attrs[AAEP_TOOL_ARGUMENTS] ?? attrs[GEN_AI_TOOL_CALL_ARGUMENTS]);
  const description = readString(attrs, AAEP_TOOL_DESCRIPTION, GEN_AI_TOOL_DESCRIPTION);
  const normal = explicit
    ? sentence(truncate(redactText(explicit), 500))
    : argsSummary
      ? phrase.usingWith(label, argsSummary)
      : phrase.using(label);
  const detailed: Text[] = [normal];
  if (description) detailed.push(sentence(truncate(redactText(description), 500)));
  const risk = readEnum(attrs, AAEP_TOOL_RISK_LEVEL, RISK_LEVELS);
  const expected = readNumber(attrs, AAEP_TOOL_EXPECTED_DURATION_MS);
  tool.invokedEvent = ctx.publish(session, info, EVENT_KIND.toolInvoked, time, 'normal', {
    type: 'aaep:agent.tool.invoked',
    tool: tool.name,
    tool_call_id: tool.callId,
    summary_terse: phrase.using(label),
    summary_normal: normal,
    summary_detailed: joined(detailed),
    ...(argsSummary !== undefined && { args_summary: argsSummary }),
    ...(description !== undefined && { description: truncate(redactText(description), 500) }),
    ...(risk !== undefined && { risk_level: risk }),
    ...(tool.irreversible && { irreversible: true }),
    ...(expected !== undefined && expected >= 0 && { expected_duration_ms: Math.round(expected) }),
  });
}

export function endTool(ctx: TranslateContext, info: SpanInfo, record: SpanEndedRecord): void {
  const tool = info.tool;
  if (tool === undefined) return;
  const session = info.session;
  info.tool = undefined;
  if (info.output === undefined) session.open.delete(info);
  if (!tool.invoked) {
    if (tool.decision !== 'reject') {
      ctx.onViolation(
        `Tool "${tool.name}" needs a confirmation but ended without an accepted one; ` +
          'it was not announced with agent.tool.invoked.',
      );
    }
    return;
  }
  finishOutput(ctx, info, record.endTime);
  const attrs = record.attributes;
  const label = humanizeName(tool.name);
  const errorText = record.status.message ?? readString(attrs, ERROR_TYPE);
  const timedOut =
    readString(attrs, AAEP_TOOL_STATUS) === 'timeout' ||
    (record.status.code === 2 && /timeout|timed out/i.test(errorText ?? ''));
  const status = timedOut ? 'timeout' : record.status.code === 2 ? 'error' : 'success';
  const duration = Math.max(0, Math.round(record.endTime - record.startTime));
  const errorMessage = errorText === undefined ? undefined : truncate(redactText(errorText), 300);
  let terse: Text;
  let normal: Text;
  if (status === 'success') {
    const result =
      readString(attrs, AAEP_TOOL_RESULT_SUMMARY) !== undefined
        ? truncate(redactText(readString(attrs, AAEP_TOOL_RESULT_SUMMARY)!), 300)
        : describeData(attrs[AAEP_TOOL_RESULT] ?? attrs[GEN_AI_TOOL_CALL_RESULT]);
    terse = phrase.toolDone(label);
    normal = phrase.toolFinished(label, result);
  } else if (status === 'timeout') {
    terse = phrase.toolTimedOut(label);
    normal = phrase.toolNoAnswer(label);
  } else {
    terse = phrase.toolFailed(label);
    normal = phrase.toolFailed(label, errorMessage);
  }
  session.toolInvocations++;
  ctx.publish(session, info, EVENT_KIND.toolCompleted, record.endTime, 'normal', {
    type: 'aaep:agent.tool.completed',
    tool: tool.name,
    tool_call_id: tool.callId,
    status,
    duration_ms: duration,
    summary_terse: terse,
    summary_normal: normal,
    summary_detailed: phrase.toolTook(normal, duration),
    ...(status !== 'success' && { error_message: errorMessage ?? (status === 'timeout' ? phrase.timedOut() : phrase.toolFailedMessage()) }),
  });
}

/**
 * At the session's end: tool calls still running are completed as abandoned, and
 * calls a model call announced whose tool never ran (the framework did not execute
 * it) as not run, each with status `timeout`.
 */
export function closeOpenTools(ctx: TranslateContext, session: SessionState, time: number): void {
  for (const info of session.open) {
    const tool = info.tool;
    if (tool === undefined || !tool.invoked) continue;
    const label = humanizeName(tool.name);
    completeUnfinished(ctx, session, info, tool, time, phrase.toolAbandoned(label), phrase.toolUnfinished(label), phrase.abandonedMessage());
  }
  session.open.clear();
  for (const { tool, source } of session.calls.announced.values()) {
    const label = humanizeName(tool.name);
    completeUnfinished(ctx, session, source, tool, time, phrase.toolNotRun(label), phrase.toolNotRunBeforeEnd(label), phrase.notRunMessage());
  }
  session.calls.announced.clear();
}

/** A `tool.completed` with status `timeout` for a call that did not finish before its session. */
function completeUnfinished(
  ctx: TranslateContext,
  session: SessionState,
  source: SpanInfo,
  tool: ToolState,
  time: number,
  terse: Text,
  normal: Text,
  message: Text,
): void {
  session.toolInvocations++;
  ctx.publish(session, source, EVENT_KIND.toolCompleted, time, 'normal', {
    type: 'aaep:agent.tool.completed',
    tool: tool.name,
    tool_call_id: tool.callId,
    status: 'timeout',
    duration_ms: Math.max(0, Math.round(time - tool.startTime)),
    summary_terse: terse,
    summary_normal: normal,
    error_message: message,
  });
}

/** A tool name that matches the schema's identifier pattern. */
function toolNameOf(spanName: string, attrs: Attributes): string {
  const raw = redactText(readString(attrs, AAEP_TOOL_NAME, GEN_AI_TOOL_NAME) ?? spanName.replace(/^execute_tool\s+/, ''));
  let name = raw.trim().replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 256);
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`.slice(0, 256);
  return name;
}
