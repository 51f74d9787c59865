/**
 * OpenTelemetry GenAI semantic conventions beyond what the translator reads
 * itself, and the role helpers every framework convention shares. The other
 * shared helpers have a file each: genAiMessages.ts, toolDefinitions.ts,
 * describeToolCall.ts, jsonAttribute.ts, errorCategoryOf.ts, finishReasonSummary.ts.
 *
 * Sources (semantic-conventions v1.37+, Development status; the GenAI
 * conventions moved to open-telemetry/semantic-conventions-genai at v1.42):
 * - https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/ and
 *   .../gen-ai-agent-spans/: `gen_ai.input.messages`, `gen_ai.output.messages`,
 *   `gen_ai.response.finish_reasons`, `gen_ai.tool.definitions`, `error.type`,
 *   and the operation names (`invoke_workflow` for multi-agent workflows);
 * - docs/gen-ai/gen-ai-input-messages.json and gen-ai-output-messages.json: a
 *   message is `{ role, parts: [{ type: 'text', content } | { type: 'tool_call', … }],
 *   finish_reason }`; on spans it MAY be a JSON string, which is what
 *   OpenTelemetry JS can record (attributes are scalars or arrays).
 */
import type { Attributes, AttributeValue } from '../../records.js';
import {
  AAEP_ERROR_CATEGORY,
  AAEP_LLM_OUTPUT,
  AAEP_SESSION_REQUEST,
  AAEP_SESSION_RESULT_SUMMARY,
  AAEP_SESSION_TOOLS,
  AAEP_TOOL_SUMMARY,
  ERROR_TYPE,
  GEN_AI_OPERATION_NAME,
  GEN_AI_TOOL_CALL_ARGUMENTS,
  GEN_AI_TOOL_DESCRIPTION,
  GEN_AI_TOOL_NAME,
} from '../attributes.js';
import { conventionalRole, type SpanRole } from '../conventionalRole.js';
import type { FrameworkConvention } from '../frameworks.js';
import { describeToolCall } from './describeToolCall.js';
import { errorCategoryOf } from './errorCategoryOf.js';
import { finishReasonSummary } from './finishReasonSummary.js';
import { assistantText, lastUserText, spokenOutput } from './genAiMessages.js';
import { parseJsonAttribute } from './jsonAttribute.js';
import { rememberTools, rememberedToolDescription, toolDefinitions } from './toolDefinitions.js';

export const GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
/** A multi-agent workflow (semantic-conventions v1.41 "Invoke workflow span"): a session. */
export const GEN_AI_INVOKE_WORKFLOW = 'invoke_workflow';

/**
 * The role classifySpan gives a span whose first applicable convention says `own`:
 * aaep.span.kind, then a GenAI operation the translator knows, then `own`. A
 * convention derives attributes for this role, never for a role it lost to.
 */
export function effectiveRole(attributes: Attributes, own: SpanRole | undefined): SpanRole | undefined {
  return conventionalRole(attributes) ?? own;
}

/** Sets `key` when the value says something (not empty, not undefined). */
export function put(out: Record<string, AttributeValue>, key: string, value: AttributeValue | undefined): void {
  if (value === undefined) return;
  if (typeof value === 'string' && value.trim() === '') return;
  if (Array.isArray(value) && value.length === 0) return;
  out[key] = value;
}

export function stringAttribute(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function genAiRole(attributes: Attributes): SpanRole | undefined {
  const operation = attributes[GEN_AI_OPERATION_NAME];
  if (typeof operation !== 'string') return undefined;
  if (operation === GEN_AI_INVOKE_WORKFLOW) return 'session';
  return effectiveRole({ [GEN_AI_OPERATION_NAME]: operation }, undefined);
}

/**
 * Spans with `gen_ai.operation.name`. The translator classifies the operations it
 * knows itself; this adds `invoke_workflow` (a session) and marks every other
 * operation (`agent_step` of the Vercel AI SDK, `embeddings`, `retrieval`, …) as
 * not announced. It also maps the message attributes onto aaep.*.
 */
export const genAiConvention: FrameworkConvention = {
  name: 'opentelemetry-genai',
  applies: (attributes) => typeof attributes[GEN_AI_OPERATION_NAME] === 'string',
  role: genAiRole,
  derive(attributes) {
    const out: Record<string, AttributeValue> = {};
    const role = effectiveRole(attributes, genAiRole(attributes));
    const definitions = toolDefinitions(attributes[GEN_AI_TOOL_DEFINITIONS]);
    rememberTools(definitions);
    if (role === 'session' || role === 'llm') {
      // The request matters where the span opens a session: a session span, or a lone model call.
      put(out, AAEP_SESSION_REQUEST, lastUserText(parseJsonAttribute(attributes[GEN_AI_INPUT_MESSAGES])));
      put(out, AAEP_SESSION_TOOLS, definitions.map((definition) => definition.name));
    }
    if (role === 'llm') {
      put(out, AAEP_LLM_OUTPUT, spokenOutput(assistantText(parseJsonAttribute(attributes[GEN_AI_OUTPUT_MESSAGES]))));
    }
    if (role === 'session') {
      put(out, AAEP_SESSION_RESULT_SUMMARY, finishReasonSummary(attributes[GEN_AI_RESPONSE_FINISH_REASONS]));
      put(out, AAEP_ERROR_CATEGORY, errorCategoryOf(attributes[HTTP_RESPONSE_STATUS_CODE], stringAttribute(attributes, ERROR_TYPE)));
    }
    if (role === 'tool') {
      const name = stringAttribute(attributes, GEN_AI_TOOL_NAME);
      const description = stringAttribute(attributes, GEN_AI_TOOL_DESCRIPTION) ?? rememberedToolDescription(name);
      put(out, AAEP_TOOL_SUMMARY, describeToolCall(description, attributes[GEN_AI_TOOL_CALL_ARGUMENTS]));
    }
    return out;
  },
};
