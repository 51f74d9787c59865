/**
 * Subscriber → producer replies (spec chapter 6, schemas/handshake/*.reply.schema.json).
 * Both schemas set additionalProperties: false, hence strict objects.
 */
import { z } from 'zod';
import { JsonObjectSchema, textField } from './envelope.js';
import { DecisionSchema, ReplyTokenSchema } from './events.js';

export const SUBSCRIPTION_ID_PATTERN = /^sub_[A-Za-z0-9]{1,64}$/;

export const SubscriptionIdSchema = z
  .string()
  .regex(SUBSCRIPTION_ID_PATTERN, 'Must match ^sub_[A-Za-z0-9]{1,64}$');

export const ConfirmationReplySchema = z.strictObject({
  type: z.literal('confirmation.reply'),
  reply_token: ReplyTokenSchema,
  decision: DecisionSchema,
  subscription_id: SubscriptionIdSchema,
  timestamp: z.iso.datetime({ offset: true }),
  decided_by: textField(1, 256).optional(),
  decision_rationale: textField(1, 4096).optional(),
  modified_action: JsonObjectSchema.optional(),
  correlation_id: z.string().optional(),
});

/** string for freetext / multiple_choice, boolean for yes_no, number for numeric. */
export const ClarificationResponseSchema = z.union([textField(1, 16384), z.boolean(), z.number()]);

export const ClarificationReplySchema = z.strictObject({
  type: z.literal('clarification.reply'),
  reply_token: ReplyTokenSchema,
  response: ClarificationResponseSchema,
  subscription_id: SubscriptionIdSchema,
  timestamp: z.iso.datetime({ offset: true }),
  decided_by: textField(1, 256).optional(),
  confidence: z.number().min(0).max(1).optional(),
  correlation_id: z.string().optional(),
});

/** A reply exactly as the spec's schemas have it: what aaep-otel itself sends. */
export const ReplySchema = z.discriminatedUnion('type', [ConfirmationReplySchema, ClarificationReplySchema]);

/**
 * A reply as aaep-otel accepts it: the spec's, except that `subscription_id` may be
 * missing (absent means unknown). The AAEP project's own clients leave it out; the
 * single-use reply token is the capability and the id guards nothing.
 */
export const ReceivedReplySchema = z.discriminatedUnion('type', [
  ConfirmationReplySchema.extend({ subscription_id: SubscriptionIdSchema.optional() }),
  ClarificationReplySchema.extend({ subscription_id: SubscriptionIdSchema.optional() }),
]);

export type ConfirmationReply = z.infer<typeof ConfirmationReplySchema>;
export type ClarificationResponse = z.infer<typeof ClarificationResponseSchema>;
export type ClarificationReply = z.infer<typeof ClarificationReplySchema>;
export type Reply = z.infer<typeof ReplySchema>;
export type ReceivedReply = z.infer<typeof ReceivedReplySchema>;
