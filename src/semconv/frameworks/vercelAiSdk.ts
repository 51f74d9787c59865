/**
 * Vercel AI SDK spans.
 *
 * - Current generation (ai 7: `registerTelemetry(new OpenTelemetry({ tracer }))`
 *   from `@ai-sdk/otel`): the spans follow the GenAI conventions
 *   (`invoke_agent {model}` root, `step N` spans with `gen_ai.operation.name:
 *   agent_step`, `chat {model}`, `execute_tool {tool}`), so the GenAI convention
 *   (genAi.ts) covers them; `agent_step` is structure, not announced.
 * - Legacy generation (`ai.*` attributes, `new LegacyOpenTelemetry({ tracer })`
 *   in ai 7, `experimental_telemetry: { isEnabled: true }` in ai 3–6): this file.
 *   Names read from @ai-sdk/otel 1.0 src/legacy-open-telemetry.ts and from the
 *   spans it records.
 */
import type { AttributeValue } from '../../records.js';
import {
  AAEP_AGENT_NAME,
  AAEP_LLM_MODEL,
  AAEP_LLM_OUTPUT,
  AAEP_SESSION_REQUEST,
  AAEP_SESSION_RESULT_SUMMARY,
  AAEP_TOOL_ARGUMENTS,
  AAEP_TOOL_NAME,
  AAEP_TOOL_RESULT,
  AAEP_TOOL_SUMMARY,
  GEN_AI_TOOL_CALL_ID,
} from '../attributes.js';
import type { SpanRole } from '../classifySpan.js';
import type { FrameworkConvention } from '../frameworks.js';
import { describeToolCall } from './describeToolCall.js';
import { finishReasonSummary } from './finishReasonSummary.js';
import { effectiveRole, put, stringAttribute } from './genAi.js';
import { lastUserText, spokenOutput } from './genAiMessages.js';
import { isRecord, parseJsonAttribute } from './jsonAttribute.js';
import { rememberedToolDescription, rememberTools, toolDefinitions } from './toolDefinitions.js';

export const AI_OPERATION_ID = 'ai.operationId';
export const AI_TELEMETRY_FUNCTION_ID = 'ai.telemetry.functionId';
export const AI_MODEL_ID = 'ai.model.id';
/** Root span: `{ system, prompt, messages }` as JSON. */
export const AI_PROMPT = 'ai.prompt';
/** Model-call span: the messages sent, as JSON. */
export const AI_PROMPT_MESSAGES = 'ai.prompt.messages';
/** Model-call span: one JSON tool definition per element. */
export const AI_PROMPT_TOOLS = 'ai.prompt.tools';
export const AI_RESPONSE_TEXT = 'ai.response.text';
/** ai 3 called it this. */
export const AI_RESULT_TEXT = 'ai.result.text';
export const AI_RESPONSE_FINISH_REASON = 'ai.response.finishReason';
export const AI_TOOL_CALL_NAME = 'ai.toolCall.name';
export const AI_TOOL_CALL_ARGS = 'ai.toolCall.args';
export const AI_TOOL_CALL_RESULT = 'ai.toolCall.result';
export const AI_TOOL_CALL_ID = 'ai.toolCall.id';

/** Whole calls: one user turn, possibly several steps (model calls and tools). */
const SESSION_OPERATIONS: ReadonlySet<string> = new Set(['ai.generateText', 'ai.streamText', 'ai.generateObject', 'ai.streamObject']);
/** One provider call each (`doStream` ends when the stream has been read). */
const LLM_OPERATIONS: ReadonlySet<string> = new Set([
  'ai.generateText.doGenerate',
  'ai.streamText.doStream',
  'ai.generateObject.doGenerate',
  'ai.streamObject.doStream',
]);
const TOOL_OPERATION = 'ai.toolCall';

function vercelRole(attributes: Parameters<FrameworkConvention['role']>[0]): SpanRole | undefined {
  const operation = attributes[AI_OPERATION_ID];
  if (typeof operation !== 'string') return undefined;
  if (operation === TOOL_OPERATION) return 'tool';
  if (LLM_OPERATIONS.has(operation)) return 'llm';
  if (SESSION_OPERATIONS.has(operation)) return 'session';
  return undefined;
}

/** The last user message of `ai.prompt` (`{ prompt }` or `{ messages }`). */
function requestOf(prompt: unknown): string | undefined {
  if (!isRecord(prompt)) return lastUserText(prompt);
  if (typeof prompt.prompt === 'string') return prompt.prompt;
  return lastUserText(prompt.prompt) ?? lastUserText(prompt.messages);
}

export const vercelAiSdkConvention: FrameworkConvention = {
  name: 'vercel-ai-sdk',
  applies: (attributes) => typeof attributes[AI_OPERATION_ID] === 'string',
  role: vercelRole,
  derive(attributes) {
    const out: Record<string, AttributeValue> = {};
    const role = effectiveRole(attributes, vercelRole(attributes));
    rememberTools(toolDefinitions(attributes[AI_PROMPT_TOOLS]));
    if (role === 'session') {
      put(out, AAEP_AGENT_NAME, stringAttribute(attributes, AI_TELEMETRY_FUNCTION_ID));
      put(out, AAEP_SESSION_REQUEST, requestOf(parseJsonAttribute(attributes[AI_PROMPT])));
      put(out, AAEP_SESSION_RESULT_SUMMARY, finishReasonSummary(attributes[AI_RESPONSE_FINISH_REASON]));
    } else if (role === 'llm') {
      put(out, AAEP_LLM_MODEL, stringAttribute(attributes, AI_MODEL_ID));
      put(out, AAEP_LLM_OUTPUT, spokenOutput(stringAttribute(attributes, AI_RESPONSE_TEXT) ?? stringAttribute(attributes, AI_RESULT_TEXT)));
      // Read only when the model call opens a session of its own.
      put(out, AAEP_SESSION_REQUEST, lastUserText(parseJsonAttribute(attributes[AI_PROMPT_MESSAGES])));
    } else if (role === 'tool') {
      const name = stringAttribute(attributes, AI_TOOL_CALL_NAME);
      put(out, AAEP_TOOL_NAME, name);
      put(out, GEN_AI_TOOL_CALL_ID, attributes[AI_TOOL_CALL_ID]);
      put(out, AAEP_TOOL_ARGUMENTS, attributes[AI_TOOL_CALL_ARGS]);
      put(out, AAEP_TOOL_RESULT, attributes[AI_TOOL_CALL_RESULT]);
      put(out, AAEP_TOOL_SUMMARY, describeToolCall(rememberedToolDescription(name), attributes[AI_TOOL_CALL_ARGS]));
    }
    return out;
  },
};
