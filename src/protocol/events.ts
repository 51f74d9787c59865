/**
 * The twelve AAEP core event types (spec chapter 4, schemas/core/*.schema.json) as zod 4
 * schemas. Events are wire objects: snake_case fields and an '@context' key.
 *
 * Like the JSON Schemas (no additionalProperties: false on events), unknown top-level
 * fields are accepted; zod strips them from the parsed output.
 */
import { z } from 'zod';
import { JsonObjectSchema, envelopeShape, textField, textUpTo, uniqueArray, uriString, LanguageTagSchema } from './envelope.js';

export const REPLY_TOKEN_PATTERN = /^rpl_[A-Za-z0-9]{1,64}$/;
export const TOOL_CALL_ID_PATTERN = /^call_[A-Za-z0-9]{1,64}$/;
export const OUTPUT_ID_PATTERN = /^out_[A-Za-z0-9]{1,64}$/;
export const TOOL_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;
export const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,63}$/;
export const CANCELLATION_REASON_PATTERN = /^[a-z][a-z0-9_]{1,63}$/;
export const CONTENT_TYPE_PATTERN = /^[a-zA-Z][a-zA-Z0-9.+_-]*\/[a-zA-Z][a-zA-Z0-9.+_-]*$/;

const MAX_DURATION_MS = 86_400_000;
const MAX_TIMEOUT_SECONDS = 86_400;

const summaryTerse = textField(1, 4096);
const summaryNormal = textField(1, 16384);
const summaryDetailed = textField(1, 16384);
const durationMs = z.int().min(0).max(MAX_DURATION_MS);
const timeoutSeconds = z.int().min(1).max(MAX_TIMEOUT_SECONDS);

export const ReplyTokenSchema = z.string().regex(REPLY_TOKEN_PATTERN, 'Must match ^rpl_[A-Za-z0-9]{1,64}$');
export const ToolCallIdSchema = z.string().regex(TOOL_CALL_ID_PATTERN, 'Must match ^call_[A-Za-z0-9]{1,64}$');
export const ToolNameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(TOOL_NAME_PATTERN, 'Must match ^[A-Za-z_][A-Za-z0-9_.-]{0,255}$');
export const RiskLevelSchema = z.enum(['low', 'medium', 'high']);
export const CoalesceHintSchema = z.enum(['none', 'word', 'sentence', 'paragraph', 'completion']);

// The schemas pin urgency to 'critical' only when present (it is not in `required`).
const criticalUrgency = z.literal('critical').optional();

// ---- Lifecycle (§4.1) ----

export const SessionStartedSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.session.started'),
  summary_normal: summaryNormal,
  summary_terse: summaryTerse.optional(),
  summary_detailed: summaryDetailed.optional(),
  expected_duration_ms: durationMs.optional(),
  requested_by: textField(1, 256).optional(),
  request_text: textUpTo(16384).optional(),
  tools_available: uniqueArray(textField(1, 256)).max(256).optional(),
});

export const SessionCompletedSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.session.completed'),
  summary_normal: summaryNormal,
  summary_terse: summaryTerse.optional(),
  summary_detailed: summaryDetailed.optional(),
  duration_ms: durationMs.optional(),
  tool_invocations_count: z.int().min(0).optional(),
  output_summary: textUpTo(16384).optional(),
  result_uri: uriString().optional(),
});

export const ErrorCategorySchema = z.enum(['transient', 'permanent', 'requires_user', 'unknown']);

export const SessionErroredSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.session.errored'),
  urgency: criticalUrgency,
  error_category: ErrorCategorySchema,
  summary_normal: summaryNormal,
  summary_terse: summaryTerse.optional(),
  summary_detailed: summaryDetailed.optional(),
  error_code: z.string().regex(ERROR_CODE_PATTERN).optional(),
  error_uri: uriString().optional(),
  recoverable: z.boolean().optional(),
  remediation_hint: textField(1, 4096).optional(),
});

export const CancelledBySchema = z.enum(['user', 'producer', 'timeout', 'system']);

export const SessionCancelledSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.session.cancelled'),
  cancelled_by: CancelledBySchema,
  summary_normal: summaryNormal,
  summary_terse: summaryTerse.optional(),
  summary_detailed: summaryDetailed.optional(),
  cancellation_reason: z.string().regex(CANCELLATION_REASON_PATTERN).optional(),
  partial_result: textUpTo(16384).optional(),
});

// ---- Reasoning state (§4.2) ----

export const StateChangedSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.state.changed'),
  from_state: textField(1, 64),
  to_state: textField(1, 64),
  summary_terse: summaryTerse.optional(),
  summary_normal: summaryNormal.optional(),
  summary_detailed: summaryDetailed.optional(),
  expected_duration_ms: durationMs.optional(),
});

export const ProgressSchema = z
  .strictObject({
    percent: z.number().min(0).max(100).optional(),
    step: z.int().min(1).optional(),
    total_steps: z.int().min(1).optional(),
    description: textField(1, 4096).optional(),
  })
  .refine(
    (progress) => Object.values(progress).some((value) => value !== undefined),
    'Progress must contain at least one of percent, step, total_steps, description',
  );

export const ProgressUpdatedSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.progress.updated'),
  progress: ProgressSchema,
  summary_terse: summaryTerse.optional(),
  summary_normal: summaryNormal.optional(),
  summary_detailed: summaryDetailed.optional(),
  eta_ms: durationMs.optional(),
});

// ---- Tool and action (§4.3) ----

export const ToolInvokedSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.tool.invoked'),
  tool: ToolNameSchema,
  summary_normal: summaryNormal,
  summary_terse: summaryTerse.optional(),
  summary_detailed: summaryDetailed.optional(),
  description: textField(1, 4096).optional(),
  args_summary: textUpTo(16384).optional(),
  expected_duration_ms: durationMs.optional(),
  risk_level: RiskLevelSchema.optional(),
  irreversible: z.boolean().optional(),
  tool_call_id: ToolCallIdSchema.optional(),
});

export const ToolStatusSchema = z.enum(['success', 'error', 'timeout']);

export const ToolCompletedSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.tool.completed'),
  tool: ToolNameSchema,
  status: ToolStatusSchema,
  tool_call_id: ToolCallIdSchema.optional(),
  duration_ms: durationMs.optional(),
  summary_terse: summaryTerse.optional(),
  summary_normal: summaryNormal.optional(),
  summary_detailed: summaryDetailed.optional(),
  error_message: textField(1, 4096).optional(),
});

export const OutputStreamingSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.output.streaming'),
  chunk: textUpTo(16384),
  position: z.int().min(0),
  complete: z.boolean(),
  coalesce_hint: CoalesceHintSchema.optional(),
  output_id: z.string().regex(OUTPUT_ID_PATTERN, 'Must match ^out_[A-Za-z0-9]{1,64}$').optional(),
  content_type: z.string().regex(CONTENT_TYPE_PATTERN).optional(),
  language: LanguageTagSchema.optional(),
});

// ---- Human-in-the-loop (§4.4) ----

export const DecisionSchema = z.enum(['accept', 'reject']);
export const ReversibilitySchema = z.enum(['reversible', 'reversible_with_effort', 'irreversible']);

export const AwaitingConfirmationSchema = z
  .object({
    ...envelopeShape,
    type: z.literal('aaep:agent.awaiting.confirmation'),
    urgency: criticalUrgency,
    action: textField(1, 16384),
    consequence: textField(1, 16384),
    reply_token: ReplyTokenSchema,
    timeout_seconds: timeoutSeconds,
    default_decision: DecisionSchema,
    summary_terse: summaryTerse.optional(),
    summary_normal: summaryNormal.optional(),
    summary_detailed: summaryDetailed.optional(),
    risk_level: RiskLevelSchema.optional(),
    irreversible: z.boolean().optional(),
    reversibility: ReversibilitySchema.optional(),
    allowed_replies: uniqueArray(z.string()).min(1).max(32).optional(),
    extra_context: JsonObjectSchema.optional(),
  })
  // Schema allOf[1] if/then (chapter 6 §6.4.1): a timeout must never approve an irreversible risky action.
  .superRefine((event, ctx) => {
    const risky = event.risk_level === 'high' || event.risk_level === 'medium';
    if (event.irreversible === true && risky && event.default_decision !== 'reject') {
      ctx.addIssue({
        code: 'custom',
        path: ['default_decision'],
        message: `default_decision must be 'reject' when irreversible is true and risk_level is '${event.risk_level}'`,
      });
    }
  });

export const ResponseKindSchema = z.enum(['freetext', 'yes_no', 'multiple_choice', 'numeric']);

export const ClarificationChoiceSchema = z.strictObject({
  value: textField(1, 256),
  label: textField(1, 1024),
});

export const AwaitingClarificationSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.awaiting.clarification'),
  urgency: criticalUrgency,
  question: textField(1, 16384),
  reply_token: ReplyTokenSchema,
  timeout_seconds: timeoutSeconds,
  summary_terse: summaryTerse.optional(),
  summary_normal: summaryNormal.optional(),
  summary_detailed: summaryDetailed.optional(),
  accepted_response_kinds: uniqueArray(ResponseKindSchema).min(1).max(4).optional(),
  choices: uniqueArray(ClarificationChoiceSchema).min(2).max(32).optional(),
  context: textField(1, 4096).optional(),
  default_response: textUpTo(4096).optional(),
});

export const HandoffTargetKindSchema = z.enum(['human', 'specialist_agent', 'escalation_queue']);

export const HandoffRequestedSchema = z.object({
  ...envelopeShape,
  type: z.literal('aaep:agent.handoff.requested'),
  urgency: criticalUrgency,
  reason: textField(1, 16384),
  target_kind: HandoffTargetKindSchema,
  target_uri: uriString().optional(),
  packaged_context: JsonObjectSchema.optional(),
  urgency_for_handoff: RiskLevelSchema.optional(),
  summary_terse: summaryTerse.optional(),
  summary_normal: summaryNormal.optional(),
  summary_detailed: summaryDetailed.optional(),
});

// ---- Union ----

export const AaepEventSchema = z.discriminatedUnion('type', [
  SessionStartedSchema,
  SessionCompletedSchema,
  SessionErroredSchema,
  SessionCancelledSchema,
  StateChangedSchema,
  ProgressUpdatedSchema,
  ToolInvokedSchema,
  ToolCompletedSchema,
  OutputStreamingSchema,
  AwaitingConfirmationSchema,
  AwaitingClarificationSchema,
  HandoffRequestedSchema,
]);

export type AaepEvent = z.infer<typeof AaepEventSchema>;
export type AaepEventType = AaepEvent['type'];
export type AaepEventOf<T extends AaepEventType> = Extract<AaepEvent, { type: T }>;

export const AAEP_EVENT_TYPES = [
  'aaep:agent.session.started',
  'aaep:agent.session.completed',
  'aaep:agent.session.errored',
  'aaep:agent.session.cancelled',
  'aaep:agent.state.changed',
  'aaep:agent.progress.updated',
  'aaep:agent.tool.invoked',
  'aaep:agent.tool.completed',
  'aaep:agent.output.streaming',
  'aaep:agent.awaiting.confirmation',
  'aaep:agent.awaiting.clarification',
  'aaep:agent.handoff.requested',
] as const satisfies readonly AaepEventType[];

// Compile-time guard: fails if a union member is missing from AAEP_EVENT_TYPES.
type AssertNever<T extends never> = T;
type _AllEventTypesListed = AssertNever<Exclude<AaepEventType, (typeof AAEP_EVENT_TYPES)[number]>>;

export function isAaepEventType(value: unknown): value is AaepEventType {
  return typeof value === 'string' && (AAEP_EVENT_TYPES as readonly string[]).includes(value);
}

export type SessionStarted = z.infer<typeof SessionStartedSchema>;
export type SessionCompleted = z.infer<typeof SessionCompletedSchema>;
export type SessionErrored = z.infer<typeof SessionErroredSchema>;
export type SessionCancelled = z.infer<typeof SessionCancelledSchema>;
export type StateChanged = z.infer<typeof StateChangedSchema>;
export type Progress = z.infer<typeof ProgressSchema>;
export type ProgressUpdated = z.infer<typeof ProgressUpdatedSchema>;
export type ToolInvoked = z.infer<typeof ToolInvokedSchema>;
export type ToolCompleted = z.infer<typeof ToolCompletedSchema>;
export type OutputStreaming = z.infer<typeof OutputStreamingSchema>;
export type AwaitingConfirmation = z.infer<typeof AwaitingConfirmationSchema>;
export type ClarificationChoice = z.infer<typeof ClarificationChoiceSchema>;
export type AwaitingClarification = z.infer<typeof AwaitingClarificationSchema>;
export type HandoffRequested = z.infer<typeof HandoffRequestedSchema>;
export type RiskLevel = z.infer<typeof RiskLevelSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type CoalesceHint = z.infer<typeof CoalesceHintSchema>;
