import { describe, expect, it } from 'vitest';
import { formatNumber, plural } from '../../../src/translate/messages/formats.js';

const FILES = { one: '# file', other: '# files' } as const;
const FR_FILES = { one: '# fichier', many: '# de fichiers', other: '# fichiers' } as const;

describe('numbers and plurals, remembered for small whole numbers', () => {
  it('says the same whether a number is remembered or not, on each side of the bound of 1,024', () => {
    for (const value of [0, 1, 2, 1023, 1024, 1_000_000, 2.5, -1]) {
      const fresh = new Intl.NumberFormat('en', { maximumFractionDigits: 1 }).format(value);
      // Twice: the second answer may come from what the first remembered.
      expect([formatNumber('en', value), formatNumber('en', value)]).toEqual([fresh, fresh]);
    }
    expect([1, 1023, 1024].map((n) => plural('en', n, FILES))).toEqual(['1 file', '1,023 files', '1,024 files']);
  });

  it('keeps each language\'s plural categories apart, remembered or not', () => {
    const said = [0, 1, 2, 1023, 1024, 1_000_000].map((n) => [plural('en', n, FILES), plural('fr', n, FR_FILES)]);
    expect(said).toEqual([
      ['0 files', '0 fichier'],
      ['1 file', '1 fichier'],
      ['2 files', '2 fichiers'],
      ['1,023 files', '1\u202f023 fichiers'],
      ['1,024 files', '1\u202f024 fichiers'],
      ['1,000,000 files', '1\u202f000\u202f000 de fichiers'],
    ]);
    expect([0, 1, 2, 1023, 1024, 1_000_000].map((n) => plural('fr', n, FR_FILES))).toEqual(said.map(([, fr]) => fr));
  });
});
