import { MASK } from './mask.js';
import { REDACTED } from './redacted.js';

// "log in with password hunter2!" — a spoken password: a value with a digit, or a symbol
// before its last character, after the word. A plain word ("the password policy:") stays.
const SPOKEN_PASSWORD_RE =
  /(?<![A-Za-z0-9_])(?:password|passwd|passphrase|passcode)s?[ \t]{1,8}(?:(?:is|was|of)[ \t]{1,8})?(?:(?=[^\s"'`,;]*\d)[^\s"'`,;]+|[^\s"'`,;]*[^A-Za-z0-9\s"'`,;][^\s"'`,;]+)/gi;

export function redactSpokenPasswords(text: string): string {
  return text.replace(SPOKEN_PASSWORD_RE, (whole) => (whole.includes(REDACTED) ? whole : MASK.repeat(whole.length)));
}
