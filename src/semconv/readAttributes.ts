import type { Attributes } from '../records.js';

/** Typed reads of span attributes that tolerate whatever a producer put there. */

export function readString(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return undefined;
}

/**
 * Like readString, but whitespace is content: a streamed token may be just " " or
 * "\n", and dropping it runs words together and hides sentence ends.
 */
export function readText(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function readNumber(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  return undefined;
}

export function readBoolean(attributes: Attributes, key: string): boolean | undefined {
  const value = attributes[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function readStringArray(attributes: Attributes, key: string): string[] | undefined {
  const value = attributes[key];
  if (typeof value === 'string' && value.trim() !== '') return [value];
  if (!Array.isArray(value)) return undefined;
  const strings = value.filter((item): item is string => typeof item === 'string' && item !== '');
  return strings.length > 0 ? strings : undefined;
}

/** Reads one of the allowed values, or undefined. */
export function readEnum<T extends string>(
  attributes: Attributes,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const value = attributes[key];
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}
