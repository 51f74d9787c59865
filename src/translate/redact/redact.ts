/**
 * Secret redaction for text that is about to be spoken or sent on the wire.
 *
 * Design notes:
 * - Every regex is precompiled and shaped so that each input position is
 *   examined a bounded number of times (bounded quantifiers, lookbehinds that
 *   only allow a match to start at the beginning of a run, greedy runs with no
 *   trailing condition that could fail). No nested unbounded quantifiers.
 * - `redactText` runs on every streamed chunk, so it first runs one keyword
 *   scan (every rule's keywords and prefixes at once) and returns the input
 *   untouched when nothing could match; only rules whose keyword occurs run.
 * - Matching happens on the NFKC form with invisible characters removed
 *   (redact/normalize.ts); passes mask what they find without moving text
 *   (redact/mask.ts), and each masked run of the original becomes REDACTED.
 * - Provider shapes come from the gitleaks rule set (redact/gitleaksRules.ts).
 * - It cannot see a secret split across two chunks; callers that stream must
 *   redact at line or message boundaries (see secretTailStart).
 */
export { REDACTED } from './redacted.js';
export { isSecretKey } from './isSecretKey.js';
export { redactText } from './redactText.js';
export { redactValue } from './redactValue.js';
export { secretTailStart } from './secretTailStart.js';
