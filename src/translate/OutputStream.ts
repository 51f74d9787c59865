import { AAEP_LLM_OUTPUT } from '../semconv/attributes.js';
import type { SpanEndedRecord } from '../records.js';
import { readString } from '../semconv/readAttributes.js';
import { EVENT_KIND, outputIdFor } from './ids.js';
import { redactText, secretTailStart } from './redact/redact.js';
import { codePointLength, lastSentenceBoundary } from './sentenceBoundary.js';
import type { OutputState, SessionState, SpanInfo } from './SessionState.js';
import type { TranslateContext } from './TranslateContext.js';
import { changeState } from './changeState.js';

const MAX_CHUNK_CHARS = 8000;
const MAX_PEM_HOLD_CHARS = 64 * 1024;
const PEM_BEGIN = '-----BEGIN';
const PEM_END = '-----END';
const PEM_END_LINE = /-----END [^\n]{0,80}-----/;
const MAX_PENDING_CHARS = 4000;
const MAX_RECONCILE_CHARS = 1_000_000;
const MAX_SUMMARY_SOURCE_CHARS = 600;

/** A span's output text, announced a sentence at a time (secrets held whole until redaction can see them). */
export function appendOutput(ctx: TranslateContext, info: SpanInfo, text: string, time: number): void {
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
    changeState(ctx, info, 'writing_output', time);
  }
  if (output.received.length < MAX_RECONCILE_CHARS) output.received += text;
  const scanFrom = Math.max(0, output.pending.length - 4);
  output.pending += text;
  if (holdingPem(ctx, output)) return;
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
    publishText(ctx, session, output, chunk, false, time);
  }
}

/**
 * A private key spans several lines, and lines are announced one by one: the
 * block is held whole until its END line so redaction sees it entire. One too
 * long to hold is announced as hidden and the rest of it dropped.
 */
function holdingPem(ctx: TranslateContext, output: OutputState): boolean {
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
  publishText(ctx, output.source.session, output, held, false, output.source.session.lastTime);
  return true;
}

/** Redacts, then publishes in pieces that fit the schema's 16 KiB chunk limit. */
function publishText(ctx: TranslateContext, session: SessionState, output: OutputState, raw: string, complete: boolean, time: number): void {
  let rest = redactText(raw);
  while (rest.length > MAX_CHUNK_CHARS) {
    let cut = MAX_CHUNK_CHARS;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    publishChunk(ctx, session, output, rest.slice(0, cut), false, time);
    rest = rest.slice(cut);
  }
  publishChunk(ctx, session, output, rest, complete, time);
}

function publishChunk(ctx: TranslateContext, session: SessionState, output: OutputState, chunk: string, complete: boolean, time: number): void {
  ctx.publish(session, output.source, EVENT_KIND.output, time, 'normal', {
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
export function finishOutput(ctx: TranslateContext, info: SpanInfo, time: number): void {
  const session = info.session;
  const output = info.output;
  if (output === undefined) return;
  info.output = undefined;
  if (info.tool === undefined) session.open.delete(info);
  publishText(ctx, session, output, output.pending, true, time);
  if (output.announced.trim() !== '') session.lastOutput = output.announced;
}

export function endLlm(ctx: TranslateContext, info: SpanInfo, record: SpanEndedRecord): void {
  const final = readString(record.attributes, AAEP_LLM_OUTPUT);
  if (final === undefined) return;
  const output = info.output;
  const received = output?.received ?? '';
  // A final attribute that repeats streamed chunks adds only what was not streamed (trailing space is nothing new).
  if (received === '') appendOutput(ctx, info, final, record.endTime);
  else if (final.startsWith(received) && final.slice(received.length).trim() !== '') {
    appendOutput(ctx, info, final.slice(received.length), record.endTime);
  }
}

