import { isStopChar } from './isStopChar.js';
import { isMask, maskEnd } from './mask.js';
import { REDACTED } from './redacted.js';

function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 34 /* " ends a header inside a JSON string */) return i;
    // literal "\n" inside an escaped JSON string
    if (c === 92 && (text[i + 1] === 'n' || text[i + 1] === 'r')) return i;
  }
  return text.length;
}

/**
 * End of a quoted value whose opening quote (possibly backslash-escaped, as in
 * double-encoded JSON) is `opener` at `start`. Stops at a newline so an
 * unterminated quote hides the rest of the line, not the rest of the text.
 */
function quotedEnd(text: string, start: number, opener: string): number {
  const escaped = opener.length > 1;
  const q = opener.charCodeAt(opener.length - 1);
  for (let i = start + opener.length; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    if (!escaped) {
      if (c === 92) i++;
      else if (c === q) return i + 1;
    } else if (c === q && text.startsWith(opener, i - opener.length + 1) && text[i - opener.length] !== '\\') {
      return i + 1;
    }
  }
  return text.length;
}

const VALUE_SKIP = new Set([
  'null', 'nil', 'none', 'undefined', 'true', 'false', 'string', 'str', 'number', 'int',
  'bool', 'boolean', 'any', 'unknown', 'bytes', 'optional',
]);

// Authorization schemes; the ones with parameter lists are hidden to end of line.
const SCHEME_RE = /(bearer|basic|token|bot|negotiate|ntlm|apikey|sso-key|digest|hoba|mutual|aws4-hmac-sha256)[ \t]+/iy;
const EOL_SCHEMES = new Set(['digest', 'hoba', 'mutual', 'aws4-hmac-sha256']);
/**
 * Where the value of a secret key that starts at `start` ends, or -1 when the
 * value is empty or clearly not a secret (a type name, a boolean, a nested
 * object whose fields are checked on their own).
 */
export function valueEnd(text: string, start: number, headerLike: boolean): number {
  if (start >= text.length) return -1;
  if (text.startsWith(REDACTED, start)) return start + REDACTED.length;
  if (isMask(text.charCodeAt(start))) return maskEnd(text, start);

  let j = start;
  while (j < text.length && j - start < 3 && text.charCodeAt(j) === 92) j++;
  const q = text[j];
  if (q === '"' || q === "'" || q === '`') return quotedEnd(text, start, text.slice(start, j + 1));

  const first = text[start];
  if (first === '{' || first === '[') return -1;

  let k = start;
  let scheme = '';
  SCHEME_RE.lastIndex = start;
  const sm = SCHEME_RE.exec(text);
  if (sm) {
    scheme = (sm[1] as string).toLowerCase();
    k = start + sm[0].length;
  }
  if (headerLike || EOL_SCHEMES.has(scheme)) {
    const end = lineEnd(text, start);
    return end > start ? end : -1;
  }
  if (text.startsWith(REDACTED, k)) return k + REDACTED.length;
  if (isMask(text.charCodeAt(k))) return maskEnd(text, k);

  let end = k;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (isStopChar(c)) break;
    if (c === 92) {
      const n = text[end + 1];
      if (n === '"' || n === "'" || n === 'n' || n === 'r' || n === 't' || n === '\\') break;
    }
    end++;
  }
  if (end === k) return scheme ? k : -1;
  if (!scheme && VALUE_SKIP.has(text.slice(k, end).toLowerCase())) return -1;
  return end;
}
