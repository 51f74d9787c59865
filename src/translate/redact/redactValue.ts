import { isSecretKey } from './isSecretKey.js';
import { REDACTED } from './redacted.js';
import { redactText } from './redactText.js';

const DEPTH_LIMIT = 8;
const MAX_DEPTH_ALLOWED = 64; // a caller-supplied depth can't turn into a stack overflow
const MAX_ENTRIES = 200; // per array / object
const MAX_NODES = 10_000; // whole structure; stops width x depth blow-ups

const MORE_DATA = '(more data not shown)';
const NESTED_DATA = '(nested data not shown)';
const CIRCULAR = '(circular reference)';
const UNREADABLE = '(unreadable value)';
const BINARY = '(binary data not shown)';

interface WalkState {
  nodes: number;
  ancestors: Set<object>;
}

function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty so a "__proto__" key stays data instead of swapping the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function secretFieldValue(v: unknown): unknown {
  // null / booleans say nothing about the secret and keep "has_password: true" style data readable.
  return v === null || v === undefined || typeof v === 'boolean' ? v : REDACTED;
}

function walk(value: unknown, depth: number, state: WalkState): unknown {
  if (++state.nodes > MAX_NODES) return MORE_DATA;
  switch (typeof value) {
    case 'string':
      return redactText(value);
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return value;
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (depth <= 0) return NESTED_DATA;
  if (state.ancestors.has(obj)) return CIRCULAR;

  try {
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? String(obj) : obj.toISOString();
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return BINARY;
    state.ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        const n = Math.min(obj.length, MAX_ENTRIES);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(walk(obj[i], depth - 1, state));
        if (obj.length > MAX_ENTRIES) out.push(`(${obj.length - MAX_ENTRIES} more items not shown)`);
        return out;
      }
      if (obj instanceof Set) {
        const out: unknown[] = [];
        for (const item of obj) {
          if (out.length >= MAX_ENTRIES) {
            out.push(`(${obj.size - MAX_ENTRIES} more items not shown)`);
            break;
          }
          out.push(walk(item, depth - 1, state));
        }
        return out;
      }

      const out: Record<string, unknown> = {};
      let count = 0;
      const add = (rawKey: string, read: () => unknown): boolean => {
        if (count >= MAX_ENTRIES) {
          defineEntry(out, '(more)', MORE_DATA);
          return false;
        }
        count++;
        let val: unknown;
        try {
          val = read();
        } catch {
          val = UNREADABLE;
        }
        const copy = isSecretKey(rawKey) ? secretFieldValue(val) : walk(val, depth - 1, state);
        defineEntry(out, redactText(rawKey), copy);
        return true;
      };

      if (obj instanceof Map) {
        for (const [k, v] of obj) if (!add(String(k), () => v)) break;
        return out;
      }
      if (obj instanceof Error) {
        add('name', () => obj.name);
        add('message', () => obj.message);
      }
      for (const k in obj) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
        if (!add(k, () => (obj as Record<string, unknown>)[k])) break;
      }
      return out;
    } finally {
      state.ancestors.delete(obj);
    }
  } catch {
    return UNREADABLE; // hostile proxies / throwing iterators
  }
}

/**
 * Deep-copy JSON-like data with secrets removed: values under secret keys
 * become {@link REDACTED}, every string goes through {@link redactText}.
 * Depth, entries per container and total nodes are bounded.
 */
export function redactValue(value: unknown, depth: number = DEPTH_LIMIT): unknown {
  const d = Number.isFinite(depth) ? Math.max(0, Math.min(Math.floor(depth), MAX_DEPTH_ALLOWED)) : DEPTH_LIMIT;
  return walk(value, d, { nodes: 0, ancestors: new Set() });
}
