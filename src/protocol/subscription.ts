/**
 * The subscription handshake (spec chapter 5, schemas/handshake/subscription.*.schema.json)
 * as zod 4 schemas. The three messages with JSON Schemas set additionalProperties: false,
 * hence strict objects; extension capabilities are namespaced objects, as the schemas allow.
 * `subscription.renegotiate` and `subscription.close` have no JSON Schema; they follow the
 * spec's text (§5.7.1, §5.8.1).
 */
import { z } from 'zod';
import { AAEP_VERSION_PATTERN, JsonObjectSchema, LanguageTagSchema, ProducerSchema, VerbositySchema, textField, uniqueArray, uriString } from './envelope.js';
import { CoalesceHintSchema } from './events.js';
import { SubscriptionIdSchema } from './replies.js';

const EventTypePatternSchema = z.string().min(1).max(256);

export const EventFiltersSchema = z.strictObject({
  include: uniqueArray(EventTypePatternSchema).optional(),
  exclude: uniqueArray(EventTypePatternSchema).optional(),
});

export const ConformanceLevelSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export const CognitiveLoadSchema = z.enum(['low', 'medium', 'high']);

/** §5.3: every field optional; `{}` asks for the default stream. */
const KnownCapabilitiesSchema = z.object({
  max_events_per_second: z.int().min(1).max(100_000).optional(),
  preferred_verbosity: VerbositySchema.optional(),
  languages: uniqueArray(LanguageTagSchema).min(1).max(32).optional(),
  supports_confirmation_reply: z.boolean().optional(),
  supports_clarification_reply: z.boolean().optional(),
  coalesce_boundaries: uniqueArray(CoalesceHintSchema).min(1).max(5).optional(),
  event_filters: EventFiltersSchema.optional(),
  supported_conformance_levels: uniqueArray(ConformanceLevelSchema).min(1).max(3).optional(),
  supported_extensions: uniqueArray(uriString()).max(64).optional(),
  cognitive_load: CognitiveLoadSchema.optional(),
  pace_wpm: z.int().min(50).max(1000).optional(),
  accept_signed_manifests_only: z.boolean().optional(),
});

/** The capabilities, and extension capabilities as namespaced objects (§5.3.2). */
export const CapabilitiesSchema = KnownCapabilitiesSchema.catchall(JsonObjectSchema);

export const SubscriptionRequestSchema = z.strictObject({
  type: z.literal('subscription.request'),
  aaep_version: z.string().regex(AAEP_VERSION_PATTERN),
  subscriber_id: textField(1, 256),
  subscriber_name: textField(0, 256).optional(),
  subscriber_version: textField(0, 64).optional(),
  subscriber_manifest_uri: uriString().optional(),
  correlation_id: z.string().optional(),
  capabilities: CapabilitiesSchema,
  extensions: z.record(z.string(), JsonObjectSchema).optional(),
});

export const SubscriptionAcceptedSchema = z.strictObject({
  type: z.literal('subscription.accepted'),
  subscription_id: SubscriptionIdSchema,
  aaep_version: z.string().regex(AAEP_VERSION_PATTERN),
  producer: ProducerSchema,
  honored_capabilities: CapabilitiesSchema,
  manifest_uri: uriString().optional(),
  signed_manifest: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/).optional(),
  negotiation_notes: textField(0, 4096).optional(),
});

export const REJECTION_REASONS = [
  'version_unsupported',
  'manifest_signature_required',
  'capabilities_incompatible',
  'rate_limit',
  'authentication_required',
  'authorization_denied',
  'transport_unavailable',
  'unknown',
] as const;

export const RejectionReasonSchema = z.enum(REJECTION_REASONS);

export const SubscriptionRejectedSchema = z.strictObject({
  type: z.literal('subscription.rejected'),
  reason_code: RejectionReasonSchema,
  reason_message: textField(1, 4096),
  retry_after_seconds: z.int().min(0).max(86_400).optional(),
  alternative_manifest_uri: uriString().optional(),
});

/** §5.7.1: only the capabilities given change. */
export const SubscriptionRenegotiateSchema = z.strictObject({
  type: z.literal('subscription.renegotiate'),
  subscription_id: SubscriptionIdSchema,
  capabilities: CapabilitiesSchema,
});

/** §5.8.1 */
export const SubscriptionCloseSchema = z.strictObject({
  type: z.literal('subscription.close'),
  subscription_id: SubscriptionIdSchema,
  reason_code: textField(1, 64).optional(),
  reason_message: textField(1, 4096).optional(),
});

/** What a subscriber may send about its subscription. */
export const SubscriberHandshakeMessageSchema = z.discriminatedUnion('type', [
  SubscriptionRequestSchema,
  SubscriptionRenegotiateSchema,
  SubscriptionCloseSchema,
]);

export type EventFilters = z.infer<typeof EventFiltersSchema>;
export type ConformanceLevel = z.infer<typeof ConformanceLevelSchema>;
/** Extension capabilities are typed loosely: the known fields keep their types. */
export type Capabilities = z.infer<typeof KnownCapabilitiesSchema> & { readonly [extension: string]: unknown };
export type SubscriptionRequest = z.infer<typeof SubscriptionRequestSchema>;
export type SubscriptionAccepted = z.infer<typeof SubscriptionAcceptedSchema>;
export type RejectionReason = z.infer<typeof RejectionReasonSchema>;
export type SubscriptionRejected = z.infer<typeof SubscriptionRejectedSchema>;
export type SubscriptionRenegotiate = z.infer<typeof SubscriptionRenegotiateSchema>;
export type SubscriptionClose = z.infer<typeof SubscriptionCloseSchema>;
export type SubscriberHandshakeMessage = z.infer<typeof SubscriberHandshakeMessageSchema>;
