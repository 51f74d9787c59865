/**
 * OpenInference (Arize) spans, as `@arizeai/openinference-instrumentation-langchain`
 * records them for LangChain.js (and other OpenInference instrumentations).
 * Names from @arizeai/openinference-semantic-conventions 2.x.
 *
 * Session choice: `AGENT` spans are sessions, and so are `CHAIN` spans. LangChain
 * runs an agent turn as a tree of chains (a `RunnableSequence`, a `RunnableLambda`
 * of yours, LangGraph's graph), and OpenInference marks `AGENT` only for run types
 * containing "agent" (the legacy AgentExecutor). The root of that tree is the
 * user's turn. Inner chains are sessions inside a session, which the translator
 * follows as part of the outer one, so only the root CHAIN/AGENT is announced as a
 * session. The cost: a chain run on its own with no model or tool in it (a
 * prompt template piped into a parser) is announced as a short session.
 *
 * Note: the OpenInference tracer sets every attribute, `openinference.span.kind`
 * included, only after the span has started (docs/frameworks.md, "Known gaps").
 */
import type { Attributes, AttributeValue } from '../../records.js';
import {
  AAEP_AGENT_NAME,
  AAEP_LLM_MODEL,
  AAEP_LLM_OUTPUT,
  AAEP_SESSION_REQUEST,
  AAEP_TOOL_ARGUMENTS,
  AAEP_TOOL_DESCRIPTION,
  AAEP_TOOL_NAME,
  AAEP_TOOL_RESULT,
  AAEP_TOOL_SUMMARY,
  GEN_AI_CONVERSATION_ID,
} from '../attributes.js';
import type { SpanRole } from '../classifySpan.js';
import type { FrameworkConvention } from '../frameworks.js';
import { describeToolCall } from './describeToolCall.js';
import { effectiveRole, put, stringAttribute } from './genAi.js';
import { lastUserText, messageText, spokenOutput } from './genAiMessages.js';
import { isRecord, parseJsonAttribute } from './jsonAttribute.js';
import { rememberedToolDescription, rememberTools, toolDefinitions } from './toolDefinitions.js';

export const OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const OI_INPUT_VALUE = 'input.value';
export const OI_INPUT_MIME_TYPE = 'input.mime_type';
export const OI_OUTPUT_VALUE = 'output.value';
export const OI_LLM_MODEL_NAME = 'llm.model_name';
export const OI_LLM_INPUT_MESSAGES = 'llm.input_messages';
export const OI_LLM_OUTPUT_MESSAGES = 'llm.output_messages';
/** `llm.tools.<i>.tool.json_schema`: one JSON tool definition each. */
export const OI_LLM_TOOLS = 'llm.tools';
export const OI_TOOL_JSON_SCHEMA = 'tool.json_schema';
export const OI_TOOL_NAME = 'tool.name';
export const OI_TOOL_DESCRIPTION = 'tool.description';
export const OI_SESSION_ID = 'session.id';
export const OI_AGENT_NAME = 'agent.name';

function openInferenceRole(attributes: Attributes): SpanRole | undefined {
  switch (attributes[OPENINFERENCE_SPAN_KIND]) {
    case 'AGENT':
    case 'CHAIN':
      return 'session';
    case 'LLM':
      return 'llm';
    case 'TOOL':
      return 'tool';
    default:
      return undefined;
  }
}

/** Flattened `llm.<list>.<i>.message.*` messages, in order. */
function flattenedMessages(attributes: Attributes, list: string): Array<{ role?: string; text?: string }> {
  const messages: Array<{ role?: string; text?: string }> = [];
  for (let i = 0; i < 1000; i++) {
    const prefix = `${list}.${i}.message.`;
    const role = attributes[`${prefix}role`];
    let text = attributes[`${prefix}content`];
    if (text === undefined) {
      const parts: string[] = [];
      for (let j = 0; j < 100; j++) {
        const part = attributes[`${prefix}contents.${j}.message_content.text`];
        if (part === undefined) {
          if (attributes[`${prefix}contents.${j}.message_content.type`] === undefined) break;
          continue;
        }
        if (typeof part === 'string') parts.push(part);
      }
      if (parts.length > 0) text = parts.join('');
    }
    if (role === undefined && text === undefined) break;
    messages.push({
      ...(typeof role === 'string' && { role: role === 'human' ? 'user' : role }),
      ...(typeof text === 'string' && { text }),
    });
  }
  return messages;
}

/** The model's answer: `llm.output_messages.0.*`, else LangChain's `{ generations: [[{ text }]] }` in output.value. */
function llmOutput(attributes: Attributes): string | undefined {
  const [first] = flattenedMessages(attributes, OI_LLM_OUTPUT_MESSAGES);
  if (first?.text !== undefined) return first.text;
  const output = parseJsonAttribute(attributes[OI_OUTPUT_VALUE]);
  if (isRecord(output) && Array.isArray(output.generations)) {
    const generation = (output.generations as unknown[]).flat()[0];
    if (isRecord(generation)) {
      if (typeof generation.text === 'string' && generation.text !== '') return generation.text;
      return messageText(generation.message);
    }
  }
  return undefined;
}

const REQUEST_KEYS = ['input', 'question', 'query', 'prompt', 'message', 'text'] as const;

/** What the user asked, from a chain's input: plain text, `{ input | question | … }` or `{ messages }`. */
function requestOf(attributes: Attributes): string | undefined {
  const value = stringAttribute(attributes, OI_INPUT_VALUE);
  if (value === undefined) return undefined;
  const parsed = parseJsonAttribute(value);
  if (parsed === undefined) return attributes[OI_INPUT_MIME_TYPE] === 'application/json' ? undefined : value;
  if (isRecord(parsed)) {
    for (const key of REQUEST_KEYS) if (typeof parsed[key] === 'string' && parsed[key] !== '') return parsed[key];
  }
  return lastUserText(parsed);
}

/**
 * A tool's result: LangChain wraps it in a serialised ToolMessage
 * (`{ output: { lc, kwargs: { content } } }`); the content is what the tool returned.
 */
function toolResult(attributes: Attributes): AttributeValue | undefined {
  const value = attributes[OI_OUTPUT_VALUE];
  const parsed = parseJsonAttribute(value);
  if (!isRecord(parsed)) return value;
  const inner = 'output' in parsed && Object.keys(parsed).length === 1 ? parsed.output : parsed;
  if (typeof inner === 'string') return inner;
  if (isRecord(inner) && isRecord(inner.kwargs) && Array.isArray(inner.id)) {
    const content = inner.kwargs.content;
    return typeof content === 'string' ? content : messageText(inner);
  }
  return JSON.stringify(inner);
}

/** Tool definitions offered to the model: `llm.tools.<i>.tool.json_schema`. */
function rememberOfferedTools(attributes: Attributes): void {
  const schemas: string[] = [];
  for (let i = 0; i < 256; i++) {
    const schema = attributes[`${OI_LLM_TOOLS}.${i}.${OI_TOOL_JSON_SCHEMA}`];
    if (typeof schema !== 'string') break;
    schemas.push(schema);
  }
  if (schemas.length > 0) rememberTools(toolDefinitions(schemas));
}

export const openInferenceConvention: FrameworkConvention = {
  name: 'openinference',
  applies: (attributes) => typeof attributes[OPENINFERENCE_SPAN_KIND] === 'string',
  role: openInferenceRole,
  derive(attributes, spanName) {
    const out: Record<string, AttributeValue> = {};
    const role = effectiveRole(attributes, openInferenceRole(attributes));
    put(out, GEN_AI_CONVERSATION_ID, stringAttribute(attributes, OI_SESSION_ID));
    if (role === 'session') {
      const agentName =
        stringAttribute(attributes, OI_AGENT_NAME) ?? (attributes[OPENINFERENCE_SPAN_KIND] === 'AGENT' ? spanName : undefined);
      put(out, AAEP_AGENT_NAME, agentName);
      put(out, AAEP_SESSION_REQUEST, requestOf(attributes));
    } else if (role === 'llm') {
      rememberOfferedTools(attributes);
      put(out, AAEP_LLM_MODEL, stringAttribute(attributes, OI_LLM_MODEL_NAME));
      put(out, AAEP_LLM_OUTPUT, spokenOutput(llmOutput(attributes)));
      const request = flattenedMessages(attributes, OI_LLM_INPUT_MESSAGES)
        .filter((message) => message.role === 'user' && message.text !== undefined)
        .pop()?.text;
      put(out, AAEP_SESSION_REQUEST, request);
    } else if (role === 'tool') {
      const name = stringAttribute(attributes, OI_TOOL_NAME) ?? (spanName.trim() === '' ? undefined : spanName);
      const description = stringAttribute(attributes, OI_TOOL_DESCRIPTION) ?? rememberedToolDescription(name);
      put(out, AAEP_TOOL_NAME, name);
      put(out, AAEP_TOOL_DESCRIPTION, stringAttribute(attributes, OI_TOOL_DESCRIPTION));
      put(out, AAEP_TOOL_ARGUMENTS, attributes[OI_INPUT_VALUE]);
      put(out, AAEP_TOOL_RESULT, toolResult(attributes));
      put(out, AAEP_TOOL_SUMMARY, describeToolCall(description, attributes[OI_INPUT_VALUE]));
    }
    return out;
  },
};
