/** Messages, in the shapes the frameworks record them. */
import { describeDataText } from '../../translate/describe.js';
import { isRecord, parseJsonAttribute } from './jsonAttribute.js';

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
function messageRole(message: unknown): string | undefined {
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
  if ((first === '{' || first === '[') && parseJsonAttribute(text.trim()) !== undefined) return describeDataText(text.trim());
  return text;
}
