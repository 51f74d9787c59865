import type { AttributeValue } from '../records.js';
import { isSecretKey, redactText } from './redact/redact.js';
import { en } from './messages/en.js';
import { isPlainText, joined, phrase, renderText, type Text } from './messages/Phrase.js';
import { truncate } from './textShape.js';

/**
 * Turns span data into short phrases a screen reader can speak: no raw JSON, no
 * "undefined", secrets replaced before anything else happens to the text.
 */

const MAX_VALUE_CHARS = 80;
const MAX_ENTRIES = 4;
const MEMO_LIMIT = 1024;

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

/** "search_web" / "searchWeb" / "search-web" → "search web". */
export const humanizeName = memoize((name: string): string => {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.:/]+/g, ' ')
    .trim()
    .toLowerCase();
  return words === '' ? 'tool' : words;
});

function describeScalar(value: unknown): Text | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : truncate(redactText(value), MAX_VALUE_CHARS);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return phrase.items(value.length);
  if (typeof value === 'object') return phrase.details(Object.keys(value).length);
  return undefined;
}

function describeEntries(record: Record<string, unknown>, maxChars: number): Text | undefined {
  const parts: Text[] = [];
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
    const name = `${humanizeName(key)}: `;
    parts.push(typeof described === 'string' ? `${name}${described}` : joined([name, described], ''));
  }
  if (hidden) parts.push(phrase.hiddenCredential());
  if (skipped > 0) parts.push(phrase.andMore(skipped));
  if (parts.length === 0) return undefined;
  return parts.every(isPlainText) ? truncate(parts.join(', '), maxChars) : joined(parts, ', ', maxChars);
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
 * "key: value, key: value"; other text is redacted and shortened. Counts and
 * hidden fields are phrases, said in each listener's language.
 */
export function describeData(value: AttributeValue | undefined, maxChars = 200): Text | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return describeScalar(value);
  const parsed = parseJson(value);
  if (parsed !== undefined) {
    if (Array.isArray(parsed)) return describeScalar(parsed);
    if (parsed !== null && typeof parsed === 'object') return describeEntries(parsed as Record<string, unknown>, maxChars);
  }
  const text = redactText(value).trim();
  return text === '' ? undefined : truncate(text, maxChars);
}

/** The same description as English text, for attributes (which hold strings, not phrases). */
export function describeDataText(value: AttributeValue | undefined, maxChars = 200): string | undefined {
  const described = describeData(value, maxChars);
  return described === undefined ? undefined : renderText(described, en);
}
