import { maskBase64Wrapped } from './base64Wrapped.js';
import { CREDENTIAL_WORD_KEYWORDS, PASSWORD_WORDS, maskCredentialWords } from './credentialWords.js';
import { KeywordScan, type ScanResult } from './keywordScan.js';
import { PROVIDER_KEYWORDS, maskProviderShapes } from './providerShapes.js';
import { redactAdjacentLongValues } from './redactAdjacentLongValues.js';
import { redactAuthSchemes } from './redactAuthSchemes.js';
import { redactJwts } from './redactJwts.js';
import { redactKeyValues } from './redactKeyValues.js';
import { redactPem } from './redactPem.js';
import { redactProviderKeys } from './redactProviderKeys.js';
import { redactSpokenPasswords } from './redactSpokenPasswords.js';
import { redactUrlCredentials } from './redactUrlCredentials.js';

// ---------------------------------------------------------------------------
// Cheap pre-check. Every secret key word `isSecretKey` accepts, and every
// shape the passes (redact*.ts) look for, contains one of these stems verbatim.
// ---------------------------------------------------------------------------
// Key words (isSecretKey, key = value, flags, auth schemes, spoken passwords); "pass", "pw" and
// "pin" only before a separator, since "passed" and "spinning" are common and credentialWords.ts
// looks at those words on its own.
const WORD_STEMS = new Set([
  'passw', 'passp', 'passc', 'pass:', 'pass=', 'pass"', "pass'", 'pw:', 'pw=', 'pw"', "pw'", 'pin:', 'pin=', 'pin"', "pin'", 'pincode',
  'sig=', 'sig"', 'sig:', 'pwd', 'secret', 'credential', 'token', 'auth', 'cookie', 'sess', 'jwt', 'bearer', 'basic', 'key', '-u',
  ...PASSWORD_WORDS,
]);
// The hand-written provider shapes (redactProviderKeys).
const PROVIDER_STEMS = new Set([
  'sk-', 'sk_', 'rk_', 'whsec_', 'akia', 'asia', 'abia', 'acca', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-',
  'xox', 'xapp-', 'aiza', 'npm_', 'hf_',
]);
const CREDENTIAL_WORDS = new Set(CREDENTIAL_WORD_KEYWORDS);
export const SCAN = new KeywordScan([
  '-----begin', '://', 'eyj', ...WORD_STEMS, ...PROVIDER_STEMS, ...PROVIDER_KEYWORDS, ...CREDENTIAL_WORD_KEYWORDS,
]);

function anyOf(found: ReadonlySet<string>, wanted: ReadonlySet<string>): boolean {
  for (const keyword of found) if (wanted.has(keyword)) return true;
  return false;
}

/** Masks every secret in matching text, given its scan; `nested` is set for decoded base64, which is not decoded again. */
export function detect(text: string, scan: ScanResult, nested: boolean): string {
  const found = scan.keywords;
  const wrapped = !nested && scan.base64Run;
  let t = text;
  if (found !== undefined) {
    if (found.has('-----begin')) t = redactPem(t);
    if (found.has('://') && t.includes('@')) t = redactUrlCredentials(t);
    if (found.has('eyj')) t = redactJwts(t);
    if (anyOf(found, PROVIDER_STEMS)) t = redactProviderKeys(t);
    t = maskProviderShapes(t, found);
    if (anyOf(found, WORD_STEMS)) {
      t = redactKeyValues(t);
      t = redactAuthSchemes(t);
      t = redactAdjacentLongValues(t);
      t = redactSpokenPasswords(t);
    }
    if (anyOf(found, CREDENTIAL_WORDS)) t = maskCredentialWords(t);
  }
  if (wrapped) t = maskBase64Wrapped(t, (decoded) => detect(decoded, SCAN.scan(decoded), true) !== decoded);
  return t;
}
