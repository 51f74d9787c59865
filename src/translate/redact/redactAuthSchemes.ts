import { looksLikeToken } from './looksLikeToken.js';
import { MASK } from './mask.js';

const BEARER_RE = /(?<![A-Za-z0-9_-])bearer[ \t]{1,8}([A-Za-z0-9\-._~+/]{8,}=*)/gi;
const BASIC_RE = /(?<![A-Za-z0-9_-])basic[ \t]{1,8}([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi;

const CONTROL_OR_INVALID_RE = /[\u0000-\u001f\u007f\ufffd]/;

function isBasicCredential(b64: string): boolean {
  if (b64.length % 4 !== 0) return false;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  // user:password, printable, valid UTF-8 (no replacement characters)
  return decoded.includes(':') && !CONTROL_OR_INVALID_RE.test(decoded);
}

export function redactAuthSchemes(text: string): string {
  text = text.replace(BEARER_RE, (whole, tok: string) => (looksLikeToken(tok, 16) ? MASK.repeat(whole.length) : whole));
  return text.replace(BASIC_RE, (whole, b64: string) => (isBasicCredential(b64) ? MASK.repeat(whole.length) : whole));
}
