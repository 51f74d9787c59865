import type { AttributeValue } from '../records.js';
import { REDACTED, isSecretKey, redactText } from './redact/redact.js';

/**
 * Turns span data into short phrases a screen reader can speak: no raw JSON, no
 * "undefined", secrets replaced before anything else happens to the text.
 */

const MAX_VALUE_CHARS = 80;
const MAX_ENTRIES = 4;
const MEMO_LIMIT = 1024;
const MULTI_SPACE = /\s\s|[\t\n\r\f\v]/;

/**
 * Tool and argument names repeat call after call; remembering their spoken form
 * keeps regex work off the agent's thread. Cleared wholesale when full.
 */
function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= MEMO_LIMIT) cache.clear();
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

const secretKey = memoize(isSecretKey);

/** Shortens to at most `max` characters, at a word boundary when one is near. */
export function truncate(text: string, max: number): string {
  const trimmed = MULTI_SPACE.test(text) ? text.trim().replace(/\s+/g, ' ') : text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** "search_web" / "searchWeb" / "search-web" → "search web". */
export const humanizeName = memoize((name: string): string => {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.:/]+/g, ' ')
    .trim()
    .toLowerCase();
  return words === '' ? 'tool' : words;
});

/** Ends a phrase with a full stop unless it already ends with punctuation. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capitalised = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function describeScalar(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : truncate(redactText(value), MAX_VALUE_CHARS);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `${value.length} ${value.length === 1 ? 'item' : 'items'}`;
  if (typeof value === 'object') {
    const count = Object.keys(value).length;
    return `${count} ${count === 1 ? 'detail' : 'details'}`;
  }
  return undefined;
}

function describeEntries(record: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  let hidden = false;
  let skipped = 0;
  for (const [key, value] of Object.entries(record)) {
    if (secretKey(key)) {
      hidden = true;
      continue;
    }
    const described = describeScalar(value);
    if (described === undefined) continue;
    if (parts.length >= MAX_ENTRIES) {
      skipped++;
      continue;
    }
    parts.push(`${humanizeName(key)}: ${described}`);
  }
  if (hidden) parts.push(REDACTED);
  if (skipped > 0) parts.push(`and ${skipped} more`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Describes tool arguments or a tool result: a JSON object becomes
 * "key: value, key: value"; other text is redacted and shortened.
 */
export function describeData(value: AttributeValue | undefined, maxChars = 200): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return describeScalar(value);
  const parsed = parseJson(value);
  if (parsed !== undefined) {
    if (Array.isArray(parsed)) return describeScalar(parsed);
    if (parsed !== null && typeof parsed === 'object') {
      const described = describeEntries(parsed as Record<string, unknown>);
      return described === undefined ? undefined : truncate(described, maxChars);
    }
  }
  const text = redactText(value).trim();
  return text === '' ? undefined : truncate(text, maxChars);
}

/** Human phrase for a duration in milliseconds. */
export function describeDuration(ms: number): string {
  if (ms < 1000) return 'under a second';
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
