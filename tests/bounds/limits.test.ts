import { describe, expect, it } from 'vitest';
import { ConfigError, readReceiverConfig, usage } from '../../collector/receiverConfig.js';
import { LIMIT_DEFAULTS, LIMIT_ENV, resolveLimit } from '../../src/limits.js';

describe('limits', () => {
  it('come from the explicit value, else the AAEP_* variable, else the documented default', () => {
    process.env.AAEP_MAX_HELD_SPANS = '1234';
    try {
      expect(resolveLimit('heldSpans', 5)).toBe(5);
      expect(resolveLimit('heldSpans')).toBe(1234);
    } finally {
      delete process.env.AAEP_MAX_HELD_SPANS;
    }
    expect(resolveLimit('heldSpans')).toBe(LIMIT_DEFAULTS.heldSpans);
    // No bound of 0 or less: it would refuse everything.
    expect(resolveLimit('heldSpans', 0)).toBe(LIMIT_DEFAULTS.heldSpans);
  });

  it('are receiver flags, else AAEP_* variables, else the defaults, and --help lists each', () => {
    const config = readReceiverConfig(['--max-sessions', '50'], { AAEP_MAX_SESSIONS: '60', AAEP_MAX_SUBSCRIBERS: '70' });
    expect(config).toMatchObject({
      maxSessions: 50,
      maxSubscribers: 70,
      maxSpansPerSession: LIMIT_DEFAULTS.spansPerSession,
      maxHeldSpansPerTrace: LIMIT_DEFAULTS.heldSpansPerTrace,
      maxHeldSpans: LIMIT_DEFAULTS.heldSpans,
      maxPendingReplies: LIMIT_DEFAULTS.pendingReplies,
      maxDecisions: LIMIT_DEFAULTS.decisions,
    });
    // Held-back unclassified spans exist only in-process.
    for (const [name, variable] of Object.entries(LIMIT_ENV)) if (name !== 'unclassifiedSpans') expect(usage()).toContain(variable);
    expect(() => readReceiverConfig([], { AAEP_MAX_HELD_SPANS_PER_TRACE: 'lots' })).toThrow(ConfigError);
    expect(() => readReceiverConfig(['--max-subscribers', '0'], {})).toThrow(/at least 1/);
  });
});
