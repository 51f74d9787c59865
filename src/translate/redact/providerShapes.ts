import { shannonEntropy } from './entropy.js';
import { GITLEAKS_RULES, type GitleaksRule } from './gitleaksRules.js';
import { hasMask, maskRanges } from './mask.js';

/**
 * Shapes the gitleaks rule set does not have (or has only next to a provider's name), written the
 * same way so they share the keyword scan.
 */
const EXTRA_SHAPES: readonly GitleaksRule[] = [
  // Google OAuth access token.
  { id: 'google-oauth-access-token', pattern: /\bya29\.[0-9A-Za-z_-]{20,}/dg, keywords: ['ya29.'] },
  // Discord webhook URL: the path carries the secret.
  { id: 'discord-webhook-url', pattern: /discord(?:app)?\.com\/api\/webhooks\/(\d{5,30}\/[A-Za-z0-9_-]{20,})/dg, keywords: ['discord'] },
  // Azure storage shared access signature, in a URL or a connection string.
  { id: 'azure-sas-signature', pattern: /[?&;](?:sig|SharedAccessSignature)=([A-Za-z0-9%+/=_-]{16,})/dg, keywords: ['sig=', 'sharedaccesssignature='] },
  // Mailgun private key and Mailchimp API key, bare.
  { id: 'mailgun-key', pattern: /\bkey-[0-9a-f]{32}\b/dg, keywords: ['key-'] },
  { id: 'mailchimp-api-key', pattern: /\b[0-9a-f]{32}-us\d{1,2}\b/dg, keywords: ['-us'] },
];

const RULES = [...GITLEAKS_RULES, ...EXTRA_SHAPES];

/** Every keyword a provider shape needs, for the one keyword scan in redact.ts. */
export const PROVIDER_KEYWORDS: readonly string[] = RULES.flatMap((rule) => rule.keywords);

const RULES_BY_KEYWORD = new Map<string, GitleaksRule[]>();
for (const rule of RULES) {
  for (const keyword of rule.keywords) {
    const list = RULES_BY_KEYWORD.get(keyword);
    if (list === undefined) RULES_BY_KEYWORD.set(keyword, [rule]);
    else if (!list.includes(rule)) list.push(rule);
  }
}

/** The secret in a match, for the entropy check: the first non-empty group, else the whole match. */
function secretSpan(match: RegExpExecArray, group: number | undefined): [number, number] {
  const indices = match.indices!;
  if (group !== undefined && indices[group] !== undefined) return indices[group];
  for (let g = 1; g < indices.length; g++) {
    const span = indices[g];
    if (span !== undefined && span[1] > span[0]) return span;
  }
  return indices[0]!;
}

// The delimiter gitleaks rules end with (see the generator): not part of what is hidden.
const TRAILING_DELIMITER = /(?:[`'"\s;.,:!?)\]}>]|\\[nr])$/;

/**
 * What is hidden: the whole match (a group may be only part of the secret, as in webhook URLs),
 * without the delimiter after it, and at least the secret group.
 */
function hiddenSpan(match: RegExpExecArray, secret: [number, number]): [number, number] {
  let whole = match[0];
  while (whole.length > 0 && TRAILING_DELIMITER.test(whole)) whole = whole.slice(0, whole.endsWith('\\n') || whole.endsWith('\\r') ? -2 : -1);
  return [Math.min(match.index, secret[0]), Math.max(match.index + whole.length, secret[1])];
}

/** Masks every provider-shaped secret whose keyword was found in `text`. */
export function maskProviderShapes(text: string, keywords: ReadonlySet<string>): string {
  const rules = new Set<GitleaksRule>();
  for (const keyword of keywords) for (const rule of RULES_BY_KEYWORD.get(keyword) ?? []) rules.add(rule);
  if (rules.size === 0) return text;
  const ranges: Array<[number, number]> = [];
  for (const rule of rules) {
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(text)) !== null) {
      if (match[0].length === 0) pattern.lastIndex++;
      const [start, end] = secretSpan(match, rule.secretGroup);
      const secret = text.slice(start, end);
      if (hasMask(secret)) continue;
      if (rule.entropy !== undefined && shannonEntropy(secret) <= rule.entropy) continue;
      ranges.push(hiddenSpan(match, [start, end]));
    }
  }
  return maskRanges(text, ranges);
}
