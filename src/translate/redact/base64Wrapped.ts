import { shannonEntropy } from './entropy.js';
import { MASK, hasMask } from './mask.js';

/**
 * Credentials wrapped in base64 ("dXNlcjpodW50ZXIy" is "user:hunter2"), and bare 40-character
 * cloud secret keys. A run is decoded only when it could be base64 and has mixed case or digits,
 * which prose almost never has; the decoded text is then checked like any other text.
 */
const RUN_RE = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,4096}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX_RE = /^[0-9a-fA-F]+$/;
const MIXED_RE = /^(?=.*[a-z])(?=.*(?:[A-Z]|[0-9]))/;
const PRINTABLE_RE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]*$/;
const USER_PASSWORD_RE = /^[^\s:]{1,128}:\S{3,}$/;
// AWS secret access keys and similar: 40 base64 characters with upper, lower and a digit.
const CLOUD_SECRET_RE = /^(?=.*[A-Z])(?=.*[a-z])(?=.*[0-9])[A-Za-z0-9+/]{40}$/;

/** `inner` checks decoded text: true when it holds a secret. */
export function maskBase64Wrapped(text: string, inner: (decoded: string) => boolean): string {
  let out: string | undefined;
  RUN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = RUN_RE.exec(text)) !== null) {
    const run = m[0];
    if (HEX_RE.test(run) || !MIXED_RE.test(run) || hasMask(run)) continue;
    let hidden = CLOUD_SECRET_RE.test(run) && shannonEntropy(run) > 4;
    if (!hidden) {
      const body = run.replace(/=+$/, '');
      if (body.length % 4 === 1) continue;
      const decoded = Buffer.from(body, /[-_]/.test(body) ? 'base64url' : 'base64').toString('utf8');
      if (decoded.length < 6 || !PRINTABLE_RE.test(decoded)) continue;
      hidden = USER_PASSWORD_RE.test(decoded) || inner(decoded);
    }
    if (hidden) out = (out ?? text).slice(0, m.index) + MASK.repeat(run.length) + (out ?? text).slice(m.index + run.length);
  }
  return out ?? text;
}
