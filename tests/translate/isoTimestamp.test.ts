import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isoTimestamp } from '../../src/translate/isoTimestamp.js';

describe('isoTimestamp', () => {
  it('writes what Date#toISOString writes, at the edges of a second and of the year range', () => {
    const edges = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, -1, -999, -1000, -1001, 1_780_000_000_123, 253_402_300_799_999, 253_402_300_800_000, -62_198_755_200_000, 8.64e15, -8.64e15];
    for (const millis of edges) expect(isoTimestamp(millis)).toBe(new Date(millis).toISOString());
  });

  it('writes what Date#toISOString writes for any whole millisecond, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8.64e15, max: 8.64e15 }), { minLength: 1, maxLength: 20 }), (times) => {
        for (const millis of times) expect(isoTimestamp(millis)).toBe(new Date(millis).toISOString());
      }),
    );
  });
});
