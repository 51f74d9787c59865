import { shannonEntropy } from './entropy.js';
import { looksLikeToken } from './looksLikeToken.js';
import { MASK } from './mask.js';

// "my API key is 3f9a…" — long hex/base64 only counts when it follows a secret word.
const ADJACENT_RE =
  /(?<![A-Za-z0-9_])((?:(?:api|access|secret|private|auth|session|bot|refresh|client|signing)[ _-]?(?:key|token|secret)|secret|token|password|passphrase|passcode|credential|auth|apikey)s?(?:[ \t]{1,8}(?:(?:is|was|of|value|=|:)[ \t]{1,8})?|[ \t]{0,8}[:=][ \t]{0,8})["'`]?)([A-Za-z0-9+/_-]{16,}={0,2})/gi;

export function redactAdjacentLongValues(text: string): string {
  return text.replace(ADJACENT_RE, (whole, lead: string, value: string) =>
    looksLikeToken(value, 32) || (value.length >= 16 && looksLikeToken(value, 16) && shannonEntropy(value) >= 3.5)
      ? lead + MASK.repeat(value.length)
      : whole,
  );
}
