import { diag, type Span } from '@opentelemetry/api';
import { awaitReply } from './awaitReply.js';
import type { ResponseKind } from './ReplyRegistry.js';
import {
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
} from '../semconv/attributes.js';
import { findRuntime } from './runtime.js';

export interface ClarifyOptions {
  /** The question, e.g. "Which city should I check the weather for?" */
  readonly question: string;
  /** Choices to pick from; a string is both value and label. */
  readonly options?: ReadonlyArray<string | { readonly value: string; readonly label: string }>;
  /** Whether any text is accepted besides the options. Default: true without options, false with. */
  readonly freeText?: boolean;
  /** Ask for a yes/no or a number instead of text. */
  readonly kind?: 'yes_no' | 'numeric';
  /** Why the agent asks. */
  readonly context?: string;
  /** Used when nobody answers in time. */
  readonly defaultResponse?: string;
  /** Default 120 (spec §6.4.2: 60 to 300 for clarifications). */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
}

export interface Clarification {
  /** The user's answer, or `defaultResponse` (possibly undefined) when there was none. */
  readonly response: string | number | boolean | undefined;
  readonly by: 'user' | 'timeout' | 'cancelled' | 'unavailable';
  readonly decidedBy?: string;
}

/**
 * Asks the user a question and waits for the answer (spec §4.4.2, §6.5). An answer
 * of the wrong kind, or not one of the options, is ignored and the wait goes on.
 */
export function clarify(span: Span, options: ClarifyOptions): Promise<Clarification> {
  const choices = (options.options ?? []).map((option) =>
    typeof option === 'string' ? { value: option, label: option } : option,
  );
  const kinds = new Set<ResponseKind>();
  if (options.kind !== undefined) kinds.add(options.kind);
  if (choices.length >= 2) kinds.add('multiple_choice');
  if (options.freeText ?? (choices.length < 2 && options.kind === undefined)) kinds.add('freetext');
  if (kinds.size === 0) kinds.add('freetext');
  const timeoutSeconds = Math.min(86_400, Math.max(1, Math.round(options.timeoutSeconds ?? 120)));
  const fallback = { response: options.defaultResponse };

  const found = span.isRecording() ? findRuntime(span) : undefined;
  if (found === undefined) {
    diag.warn('aaep-otel: clarify(): no AaepSpanProcessor follows this span; using the default response.');
    return Promise.resolve({ ...fallback, by: 'unavailable' });
  }
  return awaitReply<Clarification>({
    span,
    runtime: found.runtime,
    session: found.session,
    timeoutSeconds,
    signal: options.signal,
    waitingFor: `to answer: ${options.question.replace(/[.!?]+$/, '')}`,
    requestEvent: AAEP_EVENT_CLARIFICATION_REQUESTED,
    resolvedEvent: AAEP_EVENT_CLARIFICATION_RESOLVED,
    requestAttributes: (token) => ({
      [AAEP_CLARIFICATION_REPLY_TOKEN]: token,
      [AAEP_CLARIFICATION_QUESTION]: options.question,
      [AAEP_CLARIFICATION_TIMEOUT_SECONDS]: timeoutSeconds,
      [AAEP_CLARIFICATION_RESPONSE_KINDS]: [...kinds],
      ...(choices.length >= 2 && {
        [AAEP_CLARIFICATION_CHOICE_VALUES]: choices.map((c) => c.value),
        [AAEP_CLARIFICATION_CHOICE_LABELS]: choices.map((c) => c.label),
      }),
      ...(options.context !== undefined && { [AAEP_CLARIFICATION_CONTEXT]: options.context }),
      ...(options.defaultResponse !== undefined && { [AAEP_CLARIFICATION_DEFAULT_RESPONSE]: options.defaultResponse }),
    }),
    resolvedAttributes: (result) => ({
      [AAEP_CLARIFICATION_BY]: result.by,
      ...(result.response !== undefined && { [AAEP_CLARIFICATION_RESPONSE]: String(result.response) }),
    }),
    pending: (base) => ({
      ...base,
      kind: 'clarification',
      acceptedKinds: kinds,
      choices: new Set(choices.map((c) => c.value)),
    }),
    onReply: (reply) =>
      reply.type === 'clarification.reply'
        ? { response: reply.response, by: 'user', ...(reply.decided_by !== undefined && { decidedBy: reply.decided_by }) }
        : { ...fallback, by: 'user' },
    onTimeout: () => ({ ...fallback, by: 'timeout' }),
    onCancel: () => ({ ...fallback, by: 'cancelled' }),
  });
}
