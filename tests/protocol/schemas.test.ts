import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AAEP_EVENT_TYPES,
  AaepEventSchema,
  EnvelopeSchema,
  ReplySchema,
  type AaepEventOf,
} from '../../src/protocol/index.js';
import {
  expectSpecValid,
  specSchemas,
  validateAgainstSpec,
  validateEnvelopeAgainstSpec,
  validateReplyAgainstSpec,
} from '../helpers/aaepSchemas.js';

function zodErrors(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
}

function exampleOf(name: string, index = 0): Record<string, unknown> {
  const example = specSchemas.core[name]?.examples?.[index];
  if (example === undefined) throw new Error(`spec has no example ${index} for ${name}`);
  return structuredClone(example) as Record<string, unknown>;
}

function without(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = value;
  return rest;
}

const astral = (count: number) => '𝄞'.repeat(count); // 1 code point, 2 UTF-16 units each

describe('the spec examples', () => {
  it('exist for every core and reply schema, so the example tests below are not vacuous', () => {
    for (const schema of [...Object.values(specSchemas.core), ...Object.values(specSchemas.replies)]) {
      expect(schema.examples?.length ?? 0, schema.$id).toBeGreaterThan(0);
    }
  });

  // All shipped examples are meant to be valid; none needed skipping (verified against ajv).
  for (const [name, schema] of Object.entries(specSchemas.core)) {
    (schema.examples ?? []).forEach((example, index) => {
      it(`accept ${name} example #${index + 1} under both ajv and zod, losing no field`, () => {
        expect(validateAgainstSpec(example)).toEqual([]);
        expect(zodErrors(AaepEventSchema, example)).toEqual([]);
        expect(AaepEventSchema.parse(example)).toEqual(example);
      });
    });
  }

  for (const [name, schema] of Object.entries(specSchemas.replies)) {
    (schema.examples ?? []).forEach((example, index) => {
      it(`accept ${name} example #${index + 1} under both ajv and zod, losing no field`, () => {
        expect(validateReplyAgainstSpec(example)).toEqual([]);
        expect(zodErrors(ReplySchema, example)).toEqual([]);
        expect(ReplySchema.parse(example)).toEqual(example);
      });
    });
  }

  // Envelope example #1 has no summary_normal: valid as an envelope, not as a session.started.
  (specSchemas.envelope.examples ?? []).forEach((example, index) => {
    it(`accept envelope example #${index + 1} as an envelope under both ajv and zod`, () => {
      expect(validateEnvelopeAgainstSpec(example)).toEqual([]);
      expect(zodErrors(EnvelopeSchema, example)).toEqual([]);
      expect(EnvelopeSchema.parse(example)).toEqual(example);
    });
  });
});

describe('the zod event schemas are as strict as the spec', () => {
  const confirmation = () => exampleOf('agent.awaiting.confirmation');

  const invalidEvents: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ['an event_id without the evt_ prefix', { ...exampleOf('agent.session.started'), event_id: 'event_8a3f5b22' }],
    ['an event_id with 65 characters after the prefix', { ...exampleOf('agent.session.started'), event_id: `evt_${'a'.repeat(65)}` }],
    ['a session_id with a dash', { ...exampleOf('agent.session.started'), session_id: 'sess_2c91-a7b4' }],
    ['a session.started without summary_normal', without(exampleOf('agent.session.started'), 'summary_normal')],
    ['a session.errored with urgency "normal"', { ...exampleOf('agent.session.errored'), urgency: 'normal' }],
    ['an awaiting.clarification with urgency "background"', { ...exampleOf('agent.awaiting.clarification'), urgency: 'background' }],
    [
      'an irreversible high-risk confirmation defaulting to accept',
      { ...confirmation(), irreversible: true, risk_level: 'high', default_decision: 'accept' },
    ],
    [
      'an irreversible medium-risk confirmation defaulting to accept',
      { ...confirmation(), irreversible: true, risk_level: 'medium', default_decision: 'accept' },
    ],
    ['a tool.invoked whose tool name contains a space', { ...exampleOf('agent.tool.invoked'), tool: 'fetch balance' }],
    ['a tool.completed whose tool name starts with a digit', { ...exampleOf('agent.tool.completed'), tool: '1fetch' }],
    ['a tool.completed with a tool_call_id lacking the call_ prefix', { ...exampleOf('agent.tool.completed', 1), tool_call_id: '7a2b9c4e' }],
    ['a progress.updated with an empty progress object', { ...exampleOf('agent.progress.updated'), progress: {} }],
    ['a progress.updated whose progress has only an unknown key', { ...exampleOf('agent.progress.updated'), progress: { ratio: 0.5 } }],
    ['a progress.updated with percent above 100', { ...exampleOf('agent.progress.updated'), progress: { percent: 100.5 } }],
    ['an output.streaming with a fractional position', { ...exampleOf('agent.output.streaming'), position: 1.5 }],
    ['an output.streaming with an output_id lacking the out_ prefix', { ...exampleOf('agent.output.streaming'), output_id: 'output_1' }],
    ['an awaiting.clarification with a reply_token lacking the rpl_ prefix', { ...exampleOf('agent.awaiting.clarification'), reply_token: 'reply_1' }],
    ['an awaiting.clarification with timeout_seconds 0', { ...exampleOf('agent.awaiting.clarification'), timeout_seconds: 0 }],
    [
      'an awaiting.clarification with duplicate choices',
      { ...exampleOf('agent.awaiting.clarification'), choices: [{ value: '60', label: 'Age 60' }, { label: 'Age 60', value: '60' }] },
    ],
    ['a session.completed whose summary_terse exceeds 4096 code points', { ...exampleOf('agent.session.completed'), summary_terse: astral(4097) }],
    ['a session.cancelled with an unknown cancelled_by', { ...exampleOf('agent.session.cancelled'), cancelled_by: 'admin' }],
    ['a handoff.requested with packaged_context as an array', { ...exampleOf('agent.handoff.requested'), packaged_context: [] }],
    ['an @context array that does not start with the AAEP context', { ...exampleOf('agent.state.changed'), '@context': ['https://example.org/x/v1'] }],
    ['a producer with an unknown field', { ...exampleOf('agent.state.changed'), producer: { agent_id: 'a', build: '7' } }],
    ['a timestamp that is not RFC 3339', { ...exampleOf('agent.state.changed'), timestamp: 'May 24, 2026 14:22:11' }],
    ['a negative sequence_number', { ...exampleOf('agent.state.changed'), sequence_number: -1 }],
    ['localization hints with duplicate available_languages', { ...exampleOf('agent.state.changed'), localization_hints: { available_languages: ['en-US', 'en-US'] } }],
  ];

  it.each(invalidEvents)('reject %s under both ajv and zod', (_label, event) => {
    expect(validateAgainstSpec(event)).not.toEqual([]);
    expect(zodErrors(AaepEventSchema, event)).not.toEqual([]);
  });

  const edgeCasesBothAccept: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    // JSON Schema counts code points, so zod must not count UTF-16 units.
    ['a summary_normal of exactly 16384 astral code points', { ...exampleOf('agent.session.started'), summary_normal: astral(16384) }],
    [
      'an irreversible low-risk confirmation defaulting to accept',
      { ...confirmation(), irreversible: true, risk_level: 'low', default_decision: 'accept' },
    ],
    ['a high-risk confirmation defaulting to accept when irreversible is absent', { ...without(confirmation(), 'irreversible'), default_decision: 'accept' }],
    // Spec quirk: prose says errored events MUST be critical, but the schema does not require urgency.
    ['a session.errored with no urgency at all', without(exampleOf('agent.session.errored'), 'urgency')],
    // Event schemas are open (no additionalProperties: false); zod strips the extra field.
    ['an event with an unknown top-level field', { ...exampleOf('agent.state.changed'), custom_field: 'value' }],
    ['a timestamp with a +01:00 offset', { ...exampleOf('agent.state.changed'), timestamp: '2026-05-24T15:22:11.342+01:00' }],
  ];

  it.each(edgeCasesBothAccept)('accept %s under both ajv and zod', (_label, event) => {
    expect(validateAgainstSpec(event)).toEqual([]);
    expect(zodErrors(AaepEventSchema, event)).toEqual([]);
  });

  it('points the confirmation safety rule at default_decision', () => {
    const result = AaepEventSchema.safeParse({ ...confirmation(), irreversible: true, risk_level: 'high', default_decision: 'accept' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['default_decision']]);
  });
});

describe('the zod reply schemas are as strict as the spec', () => {
  const confirmationReply = () => structuredClone(specSchemas.replies['confirmation.reply']?.examples?.[0]) as Record<string, unknown>;
  const clarificationReply = () => structuredClone(specSchemas.replies['clarification.reply']?.examples?.[0]) as Record<string, unknown>;

  const invalidReplies: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ['a confirmation.reply with an unknown field', { ...confirmationReply(), note: 'x' }],
    ['a confirmation.reply with decision "maybe"', { ...confirmationReply(), decision: 'maybe' }],
    ['a confirmation.reply with a subscription_id lacking the sub_ prefix', { ...confirmationReply(), subscription_id: 'subscription_1' }],
    ['a confirmation.reply without a timestamp', without(confirmationReply(), 'timestamp')],
    ['a clarification.reply with an empty string response', { ...clarificationReply(), response: '' }],
    ['a clarification.reply with an object response', { ...clarificationReply(), response: { age: 67 } }],
    ['a clarification.reply with confidence above 1', { ...clarificationReply(), confidence: 1.5 }],
  ];

  it.each(invalidReplies)('reject %s under both ajv and zod', (_label, reply) => {
    expect(validateReplyAgainstSpec(reply)).not.toEqual([]);
    expect(zodErrors(ReplySchema, reply)).not.toEqual([]);
  });
});

describe('the event union', () => {
  it('rejects an unknown core type, as does the spec helper', () => {
    const flamingo = { ...exampleOf('agent.session.started'), type: 'aaep:agent.purple.flamingo' };
    expect(AaepEventSchema.safeParse(flamingo).success).toBe(false);
    expect(validateAgainstSpec(flamingo)).not.toEqual([]);
  });

  it('rejects an extension type, which is outside the core union', () => {
    expect(AaepEventSchema.safeParse({ ...exampleOf('agent.session.started'), type: 'medai:patient.consulted' }).success).toBe(false);
  });

  it('lists exactly the twelve core types the spec ships schemas for', () => {
    const specTypes = Object.keys(specSchemas.core).map((name) => `aaep:${name}`);
    expect([...AAEP_EVENT_TYPES].sort()).toEqual(specTypes.sort());
    expect(AaepEventSchema.options.map((option) => option.shape.type.value).sort()).toEqual(specTypes.sort());
  });

  it('narrows the parsed event by its type', () => {
    const event = AaepEventSchema.parse(exampleOf('agent.tool.completed', 1));
    if (event.type !== 'aaep:agent.tool.completed') throw new Error('expected a tool.completed event');
    const completed: AaepEventOf<'aaep:agent.tool.completed'> = event;
    expect(completed.status).toBe('success');
  });
});

describe('expectSpecValid', () => {
  it('passes a list of valid events', () => {
    expect(() => expectSpecValid([exampleOf('agent.session.started'), exampleOf('agent.session.completed')])).not.toThrow();
  });

  it('throws an error naming every invalid event and its errors', () => {
    const bad = [
      exampleOf('agent.session.started'),
      { ...exampleOf('agent.tool.invoked'), tool: 'fetch balance' },
      { ...exampleOf('agent.state.changed'), type: 'aaep:agent.purple.flamingo' },
    ];
    expect(() => expectSpecValid(bad)).toThrow(/2 of 3 event\(s\)[\s\S]*#1 aaep:agent\.tool\.invoked[\s\S]*\/tool[\s\S]*#2 aaep:agent\.purple\.flamingo/);
  });
});
