/** JSON-valued attributes (message lists, tool definitions, arguments), parsed once. */
import type { AttributeValue } from '../../records.js';

/** Larger values are not parsed: the work would land on the agent's thread. */
export const MAX_PARSE_CHARS = 512 * 1024;
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
