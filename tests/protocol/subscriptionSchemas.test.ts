import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SubscriptionAcceptedSchema, SubscriptionRejectedSchema, SubscriptionRequestSchema } from '../../src/protocol/index.js';
import { HANDSHAKE_TYPES, handshakeSchemas, validateHandshakeAgainstSpec } from '../helpers/handshakeSchemas.js';

const zodOf: Record<(typeof HANDSHAKE_TYPES)[number], z.ZodType> = {
  'subscription.request': SubscriptionRequestSchema,
  'subscription.accepted': SubscriptionAcceptedSchema,
  'subscription.rejected': SubscriptionRejectedSchema,
};

function example(type: (typeof HANDSHAKE_TYPES)[number], index = 0): Record<string, unknown> {
  return structuredClone(handshakeSchemas[type].examples![index]) as Record<string, unknown>;
}

describe('the subscription handshake schemas', () => {
  for (const type of HANDSHAKE_TYPES) {
    const examples = handshakeSchemas[type].examples ?? [];
    it(`have spec examples for ${type}, so the tests below are not vacuous`, () => {
      expect(examples.length).toBeGreaterThan(0);
    });
    examples.forEach((value, index) => {
      it(`accept ${type} example #${index + 1} under both ajv and zod, losing no field`, () => {
        expect(validateHandshakeAgainstSpec(value)).toEqual([]);
        expect(zodOf[type].parse(value)).toEqual(value);
      });
    });
  }

  const invalid: ReadonlyArray<readonly [string, (typeof HANDSHAKE_TYPES)[number], Record<string, unknown>]> = [
    ['a request with an unknown top-level field', 'subscription.request', { ...example('subscription.request'), subscription_id: 'sub_1' }],
    ['a request without subscriber_id', 'subscription.request', (({ subscriber_id: _s, ...rest }) => rest)(example('subscription.request'))],
    ['a request with a rate of 0', 'subscription.request', { ...example('subscription.request'), capabilities: { max_events_per_second: 0 } }],
    ['a request with a rate above 100000', 'subscription.request', { ...example('subscription.request'), capabilities: { max_events_per_second: 100_001 } }],
    ['a request with a fractional rate', 'subscription.request', { ...example('subscription.request'), capabilities: { max_events_per_second: 1.5 } }],
    ['a request with an unknown verbosity', 'subscription.request', { ...example('subscription.request'), capabilities: { preferred_verbosity: 'loud' } }],
    ['a request with duplicate languages', 'subscription.request', { ...example('subscription.request'), capabilities: { languages: ['en', 'en'] } }],
    ['a request with no languages', 'subscription.request', { ...example('subscription.request'), capabilities: { languages: [] } }],
    ['a request with conformance level 4', 'subscription.request', { ...example('subscription.request'), capabilities: { supported_conformance_levels: [4] } }],
    ['a request with an unknown filter key', 'subscription.request', { ...example('subscription.request'), capabilities: { event_filters: { only: ['x'] } } }],
    ['a request with a non-object extension capability', 'subscription.request', { ...example('subscription.request'), capabilities: { haptic: true } }],
    ['a request with pace_wpm 20', 'subscription.request', { ...example('subscription.request'), capabilities: { pace_wpm: 20 } }],
    ['a request with version "1"', 'subscription.request', { ...example('subscription.request'), aaep_version: '1' }],
    ['an accepted with a malformed subscription_id', 'subscription.accepted', { ...example('subscription.accepted'), subscription_id: 'sub-1' }],
    ['an accepted without producer', 'subscription.accepted', (({ producer: _p, ...rest }) => rest)(example('subscription.accepted'))],
    ['an accepted with a signed_manifest that is not compact JWS', 'subscription.accepted', { ...example('subscription.accepted'), signed_manifest: 'abc' }],
    ['a rejected with an unknown reason code', 'subscription.rejected', { ...example('subscription.rejected'), reason_code: 'busy' }],
    ['a rejected with an empty message', 'subscription.rejected', { ...example('subscription.rejected'), reason_message: '' }],
  ];
  for (const [name, type, value] of invalid) {
    it(`reject ${name} under both ajv and zod`, () => {
      expect(validateHandshakeAgainstSpec(value)).not.toEqual([]);
      expect(zodOf[type].safeParse(value).success).toBe(false);
    });
  }
});
