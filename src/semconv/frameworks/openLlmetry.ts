/**
 * OpenLLMetry (Traceloop) spans: the SDK's workflow / task / agent / tool spans
 * (`traceloop.span.kind`, `traceloop.entity.*`, named `<name>.<kind>`) and the
 * model-call spans of its provider instrumentations (`llm.request.type`,
 * `gen_ai.prompt.<i>.*`, `gen_ai.completion.<i>.*`). Names from
 * @traceloop/ai-semantic-conventions and traceloop-sdk's decorators: the entity
 * input is `{"args": [...], "kwargs": {...}}` as JSON, the output the function's
 * return value as JSON.
 *
 * Workflows and agents are sessions; tasks are structure (not announced).
 * Note: the SDK sets these attributes just after the span starts
 * (docs/frameworks.md, "Known gaps").
 */
import type { Attributes, AttributeValue } from '../../records.js';
import {
  AAEP_AGENT_NAME,
  AAEP_LLM_OUTPUT,
  AAEP_SESSION_REQUEST,
  AAEP_TOOL_ARGUMENTS,
  AAEP_TOOL_NAME,
  AAEP_TOOL_RESULT,
  AAEP_TOOL_SUMMARY,
} from '../attributes.js';
import type { SpanRole } from '../classifySpan.js';
import type { FrameworkConvention } from '../frameworks.js';
import { describeToolCall } from './describeToolCall.js';
import { effectiveRole, put, stringAttribute } from './genAi.js';
import { lastUserText, spokenOutput } from './genAiMessages.js';
import { isRecord, parseJsonAttribute } from './jsonAttribute.js';
import { rememberedToolDescription, rememberTools } from './toolDefinitions.js';

export const TRACELOOP_SPAN_KIND = 'traceloop.span.kind';
export const TRACELOOP_ENTITY_NAME = 'traceloop.entity.name';
export const TRACELOOP_ENTITY_INPUT = 'traceloop.entity.input';
export const TRACELOOP_ENTITY_OUTPUT = 'traceloop.entity.output';
export const LLM_REQUEST_TYPE = 'llm.request.type';
/** `gen_ai.prompt.<i>.role` / `.content` (the pre-1.37 GenAI attributes OpenLLMetry still writes). */
export const GEN_AI_PROMPT = 'gen_ai.prompt';
export const GEN_AI_COMPLETION = 'gen_ai.completion';
/** `llm.request.functions.<i>.name` / `.description`. */
export const LLM_REQUEST_FUNCTIONS = 'llm.request.functions';

const LLM_REQUEST_TYPES: ReadonlySet<string> = new Set(['chat', 'completion']);

function openLlmetryRole(attributes: Attributes): SpanRole | undefined {
  switch (attributes[TRACELOOP_SPAN_KIND]) {
    case 'workflow':
    case 'agent':
      return 'session';
    case 'tool':
      return 'tool';
    case undefined:
      break;
    default:
      // `task` and anything newer: structure.
      return undefined;
  }
  const type = attributes[LLM_REQUEST_TYPE];
  return typeof type === 'string' && LLM_REQUEST_TYPES.has(type) ? 'llm' : undefined;
}

/** `{"args": [...], "kwargs": {...}}`, as the SDK records a function's input. */
function entityInput(attributes: Attributes): { args: unknown[]; kwargs: Record<string, unknown> } | undefined {
  const parsed = parseJsonAttribute(attributes[TRACELOOP_ENTITY_INPUT]);
  if (!isRecord(parsed)) return undefined;
  return {
    args: Array.isArray(parsed.args) ? parsed.args : [],
    kwargs: isRecord(parsed.kwargs) ? parsed.kwargs : {},
  };
}

const REQUEST_KEYS = ['input', 'question', 'query', 'prompt', 'message', 'text', 'request'] as const;

function requestOf(attributes: Attributes): string | undefined {
  const input = entityInput(attributes);
  if (input === undefined) return undefined;
  for (const key of REQUEST_KEYS) {
    const value = input.kwargs[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  const text = input.args.find((arg): arg is string => typeof arg === 'string' && arg.trim() !== '');
  return text ?? lastUserText(input.kwargs.messages) ?? lastUserText(input.args[0]);
}

/** A tool's arguments as JSON (named arguments), or its single argument. */
function toolArguments(attributes: Attributes): string | undefined {
  const input = entityInput(attributes);
  if (input === undefined) return stringAttribute(attributes, TRACELOOP_ENTITY_INPUT);
  if (Object.keys(input.kwargs).length > 0) return JSON.stringify(input.kwargs);
  if (input.args.length === 1) {
    const [only] = input.args;
    return typeof only === 'string' ? only : JSON.stringify(only);
  }
  return input.args.length === 0 ? undefined : JSON.stringify(Object.fromEntries(input.args.map((arg, i) => [`argument ${i + 1}`, arg])));
}

/** The output as recorded, with a JSON string literal unwrapped. */
function entityOutput(attributes: Attributes): AttributeValue | undefined {
  const value = attributes[TRACELOOP_ENTITY_OUTPUT];
  if (typeof value === 'string' && value.startsWith('"')) {
    try {
      const text: unknown = JSON.parse(value);
      if (typeof text === 'string') return text;
    } catch {
      return value;
    }
  }
  return value;
}

/** `gen_ai.prompt.<i>` / `gen_ai.completion.<i>` messages, flattened. */
function indexedMessages(attributes: Attributes, prefix: string): Array<{ role?: string; content?: string }> {
  const messages: Array<{ role?: string; content?: string }> = [];
  for (let i = 0; i < 1000; i++) {
    const role = attributes[`${prefix}.${i}.role`];
    const content = attributes[`${prefix}.${i}.content`];
    if (role === undefined && content === undefined) break;
    messages.push({ ...(typeof role === 'string' && { role }), ...(typeof content === 'string' && { content }) });
  }
  return messages;
}

function rememberFunctions(attributes: Attributes): void {
  const definitions: Array<{ name: string; description?: string }> = [];
  for (let i = 0; i < 256; i++) {
    const name = attributes[`${LLM_REQUEST_FUNCTIONS}.${i}.name`];
    if (typeof name !== 'string') break;
    const description = attributes[`${LLM_REQUEST_FUNCTIONS}.${i}.description`];
    definitions.push(typeof description === 'string' ? { name, description } : { name });
  }
  rememberTools(definitions);
}

export const openLlmetryConvention: FrameworkConvention = {
  name: 'openllmetry',
  applies: (attributes) => typeof attributes[TRACELOOP_SPAN_KIND] === 'string' || typeof attributes[LLM_REQUEST_TYPE] === 'string',
  role: openLlmetryRole,
  derive(attributes, spanName) {
    const out: Record<string, AttributeValue> = {};
    const role = effectiveRole(attributes, openLlmetryRole(attributes));
    const entity = stringAttribute(attributes, TRACELOOP_ENTITY_NAME);
    if (role === 'session') {
      if (attributes[TRACELOOP_SPAN_KIND] === 'agent') put(out, AAEP_AGENT_NAME, entity);
      put(out, AAEP_SESSION_REQUEST, requestOf(attributes));
    } else if (role === 'llm') {
      rememberFunctions(attributes);
      const completion = indexedMessages(attributes, GEN_AI_COMPLETION).find((message) => message.role === undefined || message.role === 'assistant');
      put(out, AAEP_LLM_OUTPUT, spokenOutput(completion?.content));
      const request = indexedMessages(attributes, GEN_AI_PROMPT)
        .filter((message) => message.role === 'user' && message.content !== undefined)
        .pop()?.content;
      put(out, AAEP_SESSION_REQUEST, request);
    } else if (role === 'tool') {
      const name = entity ?? spanName.replace(/\.tool$/, '');
      const args = toolArguments(attributes);
      put(out, AAEP_TOOL_NAME, name);
      put(out, AAEP_TOOL_ARGUMENTS, args);
      put(out, AAEP_TOOL_RESULT, entityOutput(attributes));
      put(out, AAEP_TOOL_SUMMARY, describeToolCall(rememberedToolDescription(name), args));
    }
    return out;
  },
};
