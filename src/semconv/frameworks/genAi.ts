/**
 * OpenTelemetry GenAI semantic conventions beyond what the translator reads
 * itself, and the helpers every framework convention shares (GenAI-style
 * messages, tool definitions, human tool summaries).
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
import { describeData, truncate } from '../../translate/describe.js';
import type { Attributes, AttributeValue } from '../../records.js';
import { isSecretKey } from '../../translate/redact/redact.js';
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

// ---------------------------------------------------------------------------
// JSON attributes

/** Larger values are not parsed: the work would land on the agent's thread. */
const MAX_PARSE_CHARS = 512 * 1024;
/** Only small values are remembered: a conversation history should not outlive its spans. */
const MAX_MEMO_CHARS = 64 * 1024;
const MEMO_SIZE = 4;
const memo: Array<[string, unknown]> = [];
let memoNext = 0;

/**
 * Parses an attribute that holds JSON (an object or array), or returns undefined.
 * The same string is often read at a span's start and again at its end, and by
 * several spans (a conversation history), so the last few results are kept.
 */
export function parseJsonAttribute(value: AttributeValue | undefined): unknown {
  if (typeof value !== 'string' || value.length > MAX_PARSE_CHARS) return undefined;
  for (const entry of memo) if (entry[0] === value) return entry[1];
  const first = value.trimStart()[0];
  let parsed: unknown;
  if (first === '{' || first === '[') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (value.length <= MAX_MEMO_CHARS) {
    memo[memoNext] = [value, parsed];
    memoNext = (memoNext + 1) % MEMO_SIZE;
  }
  return parsed;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Messages, in the shapes the frameworks record them

const LANGCHAIN_ROLES: Readonly<Record<string, string>> = {
  HumanMessage: 'user',
  HumanMessageChunk: 'user',
  AIMessage: 'assistant',
  AIMessageChunk: 'assistant',
  SystemMessage: 'system',
  ToolMessage: 'tool',
  human: 'user',
  ai: 'assistant',
  system: 'system',
  tool: 'tool',
};

/**
 * The role of a message: GenAI / OpenAI / Vercel `role`, or a LangChain message
 * (serialised `{ lc, id: [..., 'HumanMessage'], kwargs }` or `{ type: 'human' }`).
 */
export function messageRole(message: unknown): string | undefined {
  if (!isRecord(message)) return undefined;
  if (typeof message.role === 'string') return message.role === 'human' ? 'user' : message.role;
  if (Array.isArray(message.id)) {
    const last = message.id[message.id.length - 1];
    if (typeof last === 'string' && LANGCHAIN_ROLES[last] !== undefined) return LANGCHAIN_ROLES[last];
  }
  if (typeof message.type === 'string' && LANGCHAIN_ROLES[message.type] !== undefined) return LANGCHAIN_ROLES[message.type];
  return undefined;
}

function textOfParts(parts: unknown[]): string | undefined {
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') texts.push(part);
    else if (isRecord(part) && (part.type === 'text' || part.type === undefined)) {
      if (typeof part.content === 'string') texts.push(part.content);
      else if (typeof part.text === 'string') texts.push(part.text);
    }
  }
  return texts.length > 0 ? texts.join('') : undefined;
}

/** The text of a message: GenAI `parts`, OpenAI/Vercel `content` (string or parts), LangChain `kwargs.content`. */
export function messageText(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  if (!isRecord(message)) return undefined;
  if (Array.isArray(message.parts)) return textOfParts(message.parts);
  const content = isRecord(message.kwargs) ? message.kwargs.content : message.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return textOfParts(content);
  return undefined;
}

/** The messages in a value: an array, LangChain's batch `[[...]]`, or `{ messages }`. */
function messageList(value: unknown): unknown[] | undefined {
  if (isRecord(value) && Array.isArray(value.messages)) return messageList(value.messages);
  if (!Array.isArray(value)) return undefined;
  if (value.length > 0 && value.every((item) => Array.isArray(item))) return value[value.length - 1] as unknown[];
  return value;
}

/** The user's request: the text of the last user message. */
export function lastUserText(value: unknown): string | undefined {
  const list = messageList(value);
  if (list === undefined) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    if (messageRole(list[i]) !== 'user') continue;
    const text = messageText(list[i]);
    if (text !== undefined && text.trim() !== '') return text;
  }
  return undefined;
}

/** The model's answer: the text of the first assistant message (one message per choice). */
export function assistantText(value: unknown): string | undefined {
  const list = messageList(value);
  if (list === undefined) return undefined;
  for (const message of list) {
    const role = messageRole(message);
    if (role !== undefined && role !== 'assistant') continue;
    const text = messageText(message);
    if (text !== undefined && text !== '') return text;
    if (role === 'assistant') return undefined;
  }
  return undefined;
}

/**
 * A model's text as it should be heard: structured output (a JSON object or
 * array, as generateObject or a JSON mode returns) becomes "key: value, …",
 * never raw JSON; anything else is the text itself.
 */
export function spokenOutput(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const first = text.trimStart()[0];
  if ((first === '{' || first === '[') && parseJsonAttribute(text.trim()) !== undefined) return describeData(text.trim());
  return text;
}

// ---------------------------------------------------------------------------
// Tool definitions seen on model spans, remembered by tool name

const MAX_TOOLS = 512;
const toolDescriptions = new Map<string, string>();

function definitionOf(item: unknown): { name: string; description?: string } | undefined {
  let value = item;
  if (typeof value === 'string') {
    // One small JSON document per tool (`ai.prompt.tools`): parsed directly, not memoised.
    try {
      value = value.length <= MAX_PARSE_CHARS ? JSON.parse(value) : undefined;
    } catch {
      return undefined;
    }
  }
  if (!isRecord(value)) return undefined;
  // OpenAI { type: 'function', function: {...} }, Bedrock { toolSpec: {...} }, or flat.
  const inner = isRecord(value.function) ? value.function : isRecord(value.toolSpec) ? value.toolSpec : value;
  if (typeof inner.name !== 'string' || inner.name === '') return undefined;
  return typeof inner.description === 'string' && inner.description.trim() !== ''
    ? { name: inner.name, description: inner.description }
    : { name: inner.name };
}

/** Tool definitions from a GenAI `gen_ai.tool.definitions` value or a framework's list (JSON or string[]). */
export function toolDefinitions(value: AttributeValue | undefined): Array<{ name: string; description?: string }> {
  const list: unknown = typeof value === 'string' ? parseJsonAttribute(value) : value;
  if (!Array.isArray(list)) return [];
  const out: Array<{ name: string; description?: string }> = [];
  for (const item of list) {
    // Google style wraps them: [{ functionDeclarations: [...] }].
    if (isRecord(item) && Array.isArray(item.functionDeclarations)) {
      for (const inner of item.functionDeclarations) {
        const definition = definitionOf(inner);
        if (definition !== undefined) out.push(definition);
      }
      continue;
    }
    const definition = definitionOf(item);
    if (definition !== undefined) out.push(definition);
  }
  return out;
}

/**
 * Remembers the descriptions of the tools a model was offered, so the tool span
 * that follows (which seldom carries one) can be announced in words. Bounded;
 * the most recent definition of a name wins.
 */
export function rememberTools(definitions: ReadonlyArray<{ name: string; description?: string }>): void {
  for (const { name, description } of definitions) {
    if (description === undefined || toolDescriptions.get(name) === description) continue;
    toolDescriptions.delete(name);
    if (toolDescriptions.size >= MAX_TOOLS) {
      const oldest = toolDescriptions.keys().next().value;
      if (oldest !== undefined) toolDescriptions.delete(oldest);
    }
    toolDescriptions.set(name, description);
  }
}

/** The description last seen for a tool of this name, if any. */
export function rememberedToolDescription(name: string | undefined): string | undefined {
  return name === undefined ? undefined : toolDescriptions.get(name);
}

// ---------------------------------------------------------------------------
// "Searching the web for 'flights to Oslo'"

const DOUBLED: ReadonlySet<string> = new Set(['get', 'set', 'run', 'stop', 'plan', 'scan', 'submit', 'ship', 'drop', 'put', 'chat']);

/** Verbs tool descriptions start with, and their -ing form. */
const TOOL_VERBS: ReadonlyMap<string, string> = new Map(
  (
    'add analyse analyze answer apply approve ask assign book browse build buy calculate call cancel ' +
    'change check close compare compose compute convert copy count crawl create decode decrypt delete ' +
    'deploy describe detect display download draft draw edit email encode encrypt estimate evaluate ' +
    'execute explain export extract fetch fill filter find format forecast generate geocode get ' +
    'import insert install invite list load locate look lookup measure merge modify monitor move ' +
    'navigate notify open order parse pay pause ping plan play post predict print provide publish ' +
    'query read recommend record remind remove rename render reply request reserve reset resize ' +
    'resolve restart retrieve return review run save scan schedule scrape search send set share ' +
    'show sign sort speak split start stop submit subscribe suggest summarise summarize sync ' +
    'tell test track transcribe transfer translate update upload validate verify visit write'
  )
    .split(' ')
    .map((verb): [string, string] => [verb, ingForm(verb)]),
);

function ingForm(verb: string): string {
  if (verb === 'lookup') return 'looking up';
  if (DOUBLED.has(verb)) return `${verb}${verb[verb.length - 1]}ing`;
  if (verb.endsWith('ee')) return `${verb}ing`;
  if (verb.endsWith('e')) return `${verb.slice(0, -1)}ing`;
  return `${verb}ing`;
}

/** "Searches" / "queries" / "fetches" → the verb's entry, if it is one we know. */
function gerundOf(word: string): string | undefined {
  const lower = word.toLowerCase();
  const candidates = [lower];
  if (lower.endsWith('ies')) candidates.push(`${lower.slice(0, -3)}y`);
  if (lower.endsWith('es')) candidates.push(lower.slice(0, -2));
  if (lower.endsWith('s')) candidates.push(lower.slice(0, -1));
  for (const candidate of candidates) {
    const ing = TOOL_VERBS.get(candidate);
    if (ing !== undefined) return ing;
  }
  return undefined;
}

const LEAD_IN = /^(?:(?:use|call|invoke)\s+(?:this|the)\s+(?:tool|function)\s+(?:to\s+)?|(?:this|a|an|the)?\s*(?:tool|function)\s+(?:that|which|to|for)\s+)/i;
/** A generic object the argument stands for: "for a city", "for up-to-date information". */
const PLACEHOLDER_FOR =
  /\s+for\s+(?:(?:a|an|any|some|one or more|the given|a given|given)\b.*|(?:[\w-]+\s+){0,3}(?:information|info|results|data|content|details|answers|matches)\b.*)$/i;

/** "Search the web for information." → "Searching the web for information", or undefined. */
export function gerundClause(description: string): string | undefined {
  let clause = description.trim().split(/(?<=[.!?])\s|\n|;|\s[-–—]\s|\s\(/)[0] ?? '';
  clause = clause.replace(/[.!?:,]+$/, '').replace(LEAD_IN, '').trim();
  if (clause === '' || clause.length > 100) return undefined;
  const match = /^([A-Za-z]+)(.*)$/.exec(clause);
  if (match === null) return undefined;
  const [, first = '', rest = ''] = match;
  const lowerFirst = first.toLowerCase();
  const ing = lowerFirst.endsWith('ing') && TOOL_VERBS.has(lowerFirst.slice(0, -3)) ? lowerFirst : gerundOf(first);
  if (ing === undefined) return undefined;
  return `${ing[0]!.toUpperCase()}${ing.slice(1)}${rest}`;
}

const MAX_SUBJECT_CHARS = 80;
const DETERMINER = '(?:(?:a|an|the|the given|a given|given|any|some)\\s+)?';

/** "cityName" / "city_name" → a pattern for "city name" in a description. */
function keyPattern(key: string): RegExp | undefined {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0 || words.join('').length < 3) return undefined;
  return new RegExp(`\\b${DETERMINER}${words.join('\\s+')}\\b`, 'i');
}

/** Puts the argument's value where the description names it, or after the action. */
function withSubject(action: string, key: string | undefined, subject: string): string {
  const named = key === undefined ? undefined : keyPattern(key);
  if (named !== undefined && named.test(action)) return action.replace(named, () => subject);
  if (PLACEHOLDER_FOR.test(action)) return action.replace(PLACEHOLDER_FOR, () => ` for ${subject}`);
  return /\sfor\s/i.test(action) ? `${action}: ${subject}` : `${action} for ${subject}`;
}

/**
 * A human sentence for a tool call from the tool's description and its
 * arguments: "Searching the web for 'flights to Oslo'", "Getting the weather
 * forecast for 'Oslo'" (from "Get the weather forecast for a city" and
 * `{"city":"Oslo"}`). Undefined when the description does not start with a verb
 * we know (the translator then says "Using search web, query: flights to Oslo").
 */
export function describeToolCall(description: string | undefined, args: AttributeValue | undefined): string | undefined {
  if (description === undefined) return undefined;
  const action = gerundClause(description);
  if (action === undefined) return undefined;
  if (typeof args !== 'string' || args.trim() === '') return action;
  const parsed = parseJsonAttribute(args);
  if (parsed === undefined) {
    // A tool that takes plain text (LangChain's single-string tools).
    return withSubject(action, undefined, `'${truncate(args, MAX_SUBJECT_CHARS)}'`);
  }
  if (isRecord(parsed)) {
    const entries = Object.entries(parsed).filter(([, value]) => value !== null && value !== undefined && value !== '');
    const only = entries.length === 1 ? entries[0] : undefined;
    if (only !== undefined && typeof only[1] === 'string' && !isSecretKey(only[0])) {
      return withSubject(action, only[0], `'${truncate(only[1], MAX_SUBJECT_CHARS)}'`);
    }
    if (entries.length === 0) return action;
  }
  const details = describeData(args);
  return details === undefined ? action : `${action}, ${details}`;
}

// ---------------------------------------------------------------------------
// Errors and finish reasons

const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504, 529]);
const USER_STATUS = new Set([401, 402, 403]);
const PERMANENT_STATUS = new Set([400, 404, 405, 409, 410, 413, 415, 422]);

/** `error_category` implied by an HTTP status or an `error.type`, when it says something. */
export function errorCategoryOf(status: AttributeValue | undefined, errorType: string | undefined): string | undefined {
  const code = typeof status === 'number' ? status : typeof status === 'string' ? Number(status) : Number(errorType);
  if (Number.isInteger(code)) {
    if (TRANSIENT_STATUS.has(code)) return 'transient';
    if (USER_STATUS.has(code)) return 'requires_user';
    if (PERMANENT_STATUS.has(code)) return 'permanent';
  }
  if (errorType === undefined) return undefined;
  if (/timeout|timed.?out|rate.?limit|overloaded|unavailable|econnreset|econnrefused/i.test(errorType)) return 'transient';
  if (/auth|api.?key|permission|forbidden|quota|billing|credit/i.test(errorType)) return 'requires_user';
  if (/invalid|bad.?request|not.?found|context.?length|too.?long|unsupported|content.?filter/i.test(errorType)) return 'permanent';
  return undefined;
}

/** A completion sentence when the model stopped for a reason the user should hear. */
export function finishReasonSummary(reasons: AttributeValue | undefined): string | undefined {
  const list = typeof reasons === 'string' ? [reasons] : Array.isArray(reasons) ? reasons : [];
  for (const reason of list) {
    if (typeof reason !== 'string') continue;
    const normal = reason.toLowerCase().replace(/[-\s]/g, '_');
    if (normal === 'length' || normal === 'max_tokens') return 'Done, but the answer was cut short: the model reached its length limit.';
    if (normal === 'content_filter') return 'Done, but part of the answer was withheld by a content filter.';
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// The convention

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
