/**
 * AAEP event envelope (spec chapter 3, schemas/envelope.schema.json) as zod 4 schemas.
 * The JSON Schemas are normative; these mirror them field for field.
 */
import { z } from 'zod';

export const AAEP_CONTEXT = 'https://aaep-protocol.org/context/v1' as const;

export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9]{1,64}$/;
export const SESSION_ID_PATTERN = /^sess_[A-Za-z0-9]{1,64}$/;
export const AAEP_VERSION_PATTERN = /^[0-9]+\.[0-9]+\.[0-9]+(-[A-Za-z0-9.-]+)?$/;
export const LANGUAGE_TAG_PATTERN = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
export const SCRIPT_CODE_PATTERN = /^[A-Z][a-z]{3}$/;
// RFC 3986 scheme + allowed characters. z.url() is not used because WHATWG URL parsing
// trims whitespace and accepts inputs that JSON Schema's "uri" format rejects.
const URI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/;

/** Length in Unicode code points, which is what JSON Schema minLength/maxLength count. */
function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** A string bounded like JSON Schema's minLength/maxLength (code points, not UTF-16 units). */
export function textField(minLength: number, maxLength: number) {
  return z.string().refine((value) => {
    // String#length >= code points, so only count when the cheap bound is inconclusive.
    if (value.length >= minLength && value.length <= maxLength) return true;
    const length = codePointLength(value);
    return length >= minLength && length <= maxLength;
  }, `Must be between ${minLength} and ${maxLength} characters long`);
}

/** A string with only a maximum length (JSON Schema maxLength, in code points). */
export function textUpTo(maxLength: number) {
  return textField(0, maxLength);
}

/** JSON Schema `format: "uri"`: an absolute URI with a scheme. */
export function uriString() {
  return z.string().regex(URI_PATTERN, 'Must be an absolute URI');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** JSON Schema `uniqueItems: true` (deep equality, key order ignored). */
export function hasUniqueItems(items: readonly unknown[]): boolean {
  return new Set(items.map(canonicalJson)).size === items.length;
}

/** An array with JSON Schema `uniqueItems: true`. */
export function uniqueArray<T extends z.ZodType>(item: T) {
  return z.array(item).refine(hasUniqueItems, 'Items must be unique');
}

/** JSON Schema `type: "object"` with no further constraints. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

export const LanguageTagSchema = z.string().regex(LANGUAGE_TAG_PATTERN, 'Must be a BCP 47 language tag');

export const ContextSchema = z.union([
  z.literal(AAEP_CONTEXT),
  z.tuple([z.literal(AAEP_CONTEXT)], uriString()),
]);

export const ProducerSchema = z.strictObject({
  agent_id: z.string().min(1),
  agent_version: z.string().optional(),
  agent_name: z.string().optional(),
  model: z.string().optional(),
  manifest_uri: uriString().optional(),
});

export const TextDirectionSchema = z.enum(['ltr', 'rtl', 'auto']);

export const LocalizationHintsSchema = z.strictObject({
  primary_language: LanguageTagSchema.optional(),
  text_direction: TextDirectionSchema.optional(),
  available_languages: uniqueArray(LanguageTagSchema).max(32).optional(),
  fallback_chain: z.array(LanguageTagSchema).max(16).optional(),
  script: z.string().regex(SCRIPT_CODE_PATTERN, 'Must be an ISO 15924 script code').optional(),
  calendar: z.string().optional(),
});

export const UrgencySchema = z.enum(['background', 'normal', 'critical']);
export const VerbositySchema = z.enum(['terse', 'normal', 'detailed']);

/**
 * Envelope fields as a raw shape, for spreading into event schemas. Schema `default`s
 * (urgency/verbosity "normal") are annotations only, so they are not applied here.
 */
export const envelopeShape = {
  '@context': ContextSchema,
  aaep_version: z.string().regex(AAEP_VERSION_PATTERN).optional(),
  type: z.string().min(1),
  event_id: z.string().regex(EVENT_ID_PATTERN, 'Must match ^evt_[A-Za-z0-9]{1,64}$'),
  session_id: z.string().regex(SESSION_ID_PATTERN, 'Must match ^sess_[A-Za-z0-9]{1,64}$'),
  sequence_number: z.int().min(0).optional(),
  timestamp: z.iso.datetime({ offset: true }),
  producer: ProducerSchema,
  verbosity: VerbositySchema.optional(),
  urgency: UrgencySchema.optional(),
  localization_hints: LocalizationHintsSchema.optional(),
  correlation_id: z.string().optional(),
  extensions: z.record(z.string(), JsonObjectSchema).optional(),
};

/** Any envelope, regardless of event type (extension types included). */
export const EnvelopeSchema = z.object(envelopeShape);

export type AaepContext = z.infer<typeof ContextSchema>;
export type Producer = z.infer<typeof ProducerSchema>;
export type LocalizationHints = z.infer<typeof LocalizationHintsSchema>;
export type TextDirection = z.infer<typeof TextDirectionSchema>;
export type Urgency = z.infer<typeof UrgencySchema>;
export type Verbosity = z.infer<typeof VerbositySchema>;
export type Envelope = z.infer<typeof EnvelopeSchema>;
