import { describe, expect, it } from 'vitest';
import { goToJs } from '../../../scripts/generateGitleaksRules.js';
import { REDACTED, redactText } from '../../../src/translate/redact/redact.js';
import { GITLEAKS_RULES } from '../../../src/translate/redact/gitleaksRules.js';

const compile = (go: string): RegExp => {
  const { source, flags } = goToJs(go);
  return new RegExp(source, flags.replace('g', '')); // test() without lastIndex carried over
};

describe('goToJs ports gitleaks (RE2) patterns to JavaScript', () => {
  it('turns a leading (?i) into the i flag', () => {
    const re = compile('(?i)secret_[a-z]{4}');
    expect(re.flags).toContain('i');
    expect(re.test('SECRET_ABCD')).toBe(true);
  });

  it('applies a (?i) in the middle of a pattern to the rest of its group only', () => {
    const re = compile(String.raw`\b(p8e-(?i)[a-z0-9]{4})x`);
    expect(re.test('p8e-AbC1x')).toBe(true);
    expect(re.test('P8E-abc1x')).toBe(false);
    expect(re.test('p8e-abc1X')).toBe(false);
  });

  it('keeps a (?-i:…) group case-sensitive inside a case-insensitive pattern', () => {
    const re = compile('(?i)key(?-i:[Ss]umo|SUMO)=');
    expect(re.test('KEYSumo=')).toBe(true);
    expect(re.test('keySUMO=')).toBe(true);
    expect(re.test('keysUMO=')).toBe(false);
  });

  it('ports \\z and lets sentence punctuation end a secret', () => {
    expect(compile(String.raw`ab\z`).test('xab')).toBe(true);
    const re = compile(String.raw`\b(tok_[a-z]{4})(?:[\x60'"\s;]|\\[nr]|$)`);
    expect(re.test('use tok_abcd.')).toBe(true);
  });

  it('rejects what it cannot port faithfully', () => {
    expect(() => goToJs(String.raw`\p{Greek}`)).toThrow();
  });
});

describe('the ported gitleaks rules', () => {
  it('are global, have match indices and keywords, and cover the common providers', () => {
    expect(GITLEAKS_RULES.length).toBeGreaterThan(150);
    for (const rule of GITLEAKS_RULES) {
      expect(rule.pattern.flags, rule.id).toContain('g');
      expect(rule.pattern.flags, rule.id).toContain('d');
      expect(rule.keywords.length, rule.id).toBeGreaterThan(0);
    }
    const ids = new Set(GITLEAKS_RULES.map((rule) => rule.id));
    for (const id of ['aws-access-token', 'github-pat', 'slack-webhook-url', 'sendgrid-api-token', 'stripe-access-token', 'microsoft-teams-webhook', 'private-key']) {
      expect(ids).toContain(id);
    }
  });

  it('finish on 20 kB of each rule keyword repeated, alone and before separators', () => {
    for (const rule of GITLEAKS_RULES) {
      for (const keyword of rule.keywords) {
        for (const unit of [keyword, `${keyword}=`, `${keyword} `, `${keyword}_a1=aaaaaaaaaa`]) {
          expect(typeof redactText(unit.repeat(Math.ceil(20_000 / unit.length)))).toBe('string');
        }
      }
    }
  });

  it('hides a provider secret and keeps the sentence around it', () => {
    const key = ['SG', '.', 'aB3dE5fG7hJ9kL1mN3pQ5r', '.', 'sT7uV9wX1yZ3aB5cD7eF9gH1jK3lM5nP7qR9sT1uV3w'].join('');
    expect(redactText(`Mail goes through ${key}, then stops.`)).toBe(`Mail goes through ${REDACTED}, then stops.`);
  });
});
