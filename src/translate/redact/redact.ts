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
import { maskBase64Wrapped } from './base64Wrapped.js';
import { CREDENTIAL_WORD_KEYWORDS, PASSWORD_WORDS, maskCredentialWords } from './credentialWords.js';
import { KeywordScan, type ScanResult } from './keywordScan.js';
import { shannonEntropy } from './entropy.js';
import { MASK, URL_MASK, isMask } from './mask.js';
import { matchText, type MatchText } from './normalize.js';
import { PROVIDER_KEYWORDS, maskProviderShapes } from './providerShapes.js';

/** What a screen reader says instead of the secret. Never contains the key or value. */
export const REDACTED = 'a credential (hidden)';

const DEPTH_LIMIT = 8;
const MAX_DEPTH_ALLOWED = 64; // a caller-supplied depth can't turn into a stack overflow
const MAX_ENTRIES = 200; // per array / object
const MAX_NODES = 10_000; // whole structure; stops width x depth blow-ups
const MAX_KEY_LENGTH = 128;

const MORE_DATA = '(more data not shown)';
const NESTED_DATA = '(nested data not shown)';
const CIRCULAR = '(circular reference)';
const UNREADABLE = '(unreadable value)';
const BINARY = '(binary data not shown)';

// ---------------------------------------------------------------------------
// Cheap pre-check. Every secret key word `isSecretKey` accepts, and every
// shape the passes below look for, contains one of these stems verbatim.
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
const SCAN = new KeywordScan([
  '-----begin', '://', 'eyj', ...WORD_STEMS, ...PROVIDER_STEMS, ...PROVIDER_KEYWORDS, ...CREDENTIAL_WORD_KEYWORDS,
]);

function anyOf(found: ReadonlySet<string>, wanted: ReadonlySet<string>): boolean {
  for (const keyword of found) if (wanted.has(keyword)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Key classification
// ---------------------------------------------------------------------------

// Words that turn a secret-sounding key into metadata about the secret
// (`password_policy`, `token_url`, `secret_name`, `private_key_path`).
const METADATA_WORDS = new Set([
  'count', 'limit', 'type', 'kind', 'length', 'len', 'size', 'url', 'uri', 'endpoint',
  'expiry', 'expires', 'expiration', 'exp', 'ttl', 'policy', 'hint', 'name', 'names',
  'path', 'file', 'filename', 'dir', 'location', 'method', 'mode', 'provider', 'scheme',
  'required', 'enabled', 'disabled', 'strength', 'format', 'version', 'field', 'label',
  'placeholder', 'source', 'helper', 'store', 'rotation', 'created', 'updated',
  'validation', 'min', 'max', 'ref', 'arn',
]);

// `token` is also an LLM accounting unit and a pagination cursor; these are not credentials.
const TOKEN_NON_SECRET_WORDS = new Set([
  'num', 'total', 'prompt', 'completion', 'input', 'output', 'cached', 'reasoning',
  'usage', 'per', 'estimated', 'remaining', 'page', 'next', 'continuation',
  'pagination', 'sync', 'cancellation', 'eos', 'bos', 'pad', 'unk', 'sep', 'cls',
  'mask', 'special',
]);

// `key` alone is a keyboard key or a map key; only these compounds are secrets.
const KEY_QUALIFIER = '(?:api|private|secret|access|signing|encryption|master|license|subscription|app|account|shared|hmac|client|service)';
const KEY_COMPOUND_WORD_RE = new RegExp(`${KEY_QUALIFIER}keys?$`);
const KEY_QUALIFIER_WORD_RE = new RegExp(`${KEY_QUALIFIER}$`);

const CAMEL_RE = /([a-z0-9])([A-Z])/g;
const ACRONYM_RE = /([A-Z]+)([A-Z][a-z])/g;
const NON_WORD_RE = /[^a-z0-9]+/;
const PASSWORD_WORD_RE = /passw(?:or)?d|passphrase|passcode/;
const PWD_WORD_RE = /pwd$/;
const SHELL_PWD_RE = /\b(?:OLD)?PWD\b/; // PWD / OLDPWD: the shell's working directory
const SECRET_WORD_RE = /secret(?!ar)/; // not "secretary"
const AUTH_WORD_RE = /^(?:auth|basicauth|httpauth|proxyauth)$|authorization/; // not "author", "authenticated"
const MISC_SECRET_WORD_RE = /credential|cookie|jwt|bearer|sessionid|sessid|sessionkey|sessiontoken/;
const TOKEN_WORD_RE = /token$/; // not "tokens" (usage counts) or "tokenizer"
const SESSION_SUFFIXES = new Set(['id', 'key', 'token', 'cookie']);
// Short names that are secrets as a key of their own ({"pin": …}, "pw=…", a SAS "sig=").
const SHORT_SECRET_WORDS = new Set(['pin', 'pincode', 'pw', 'pass', 'sig']);
// In prose those are also words ("First pass: tokenize"): there the value must look like a secret.
const SHORT_WORD_VALUE_RE = /[0-9]|[^A-Za-z\s"'`\\]/;
const TRAILING_PUNCTUATION_RE = /[.,;:!?)\]}]+$/;
const ASCII_PASSWORD_WORDS = new Set(PASSWORD_WORDS.filter((w) => /^[a-z]+$/.test(w)));
const OTHER_PASSWORD_WORDS = PASSWORD_WORDS.filter((w) => !/^[a-z]+$/.test(w));

function splitWords(key: string): string[] {
  return key
    .replace(CAMEL_RE, '$1 $2')
    .replace(ACRONYM_RE, '$1 $2')
    .toLowerCase()
    .split(NON_WORD_RE)
    .filter((w) => w.length > 0);
}

/** True when a structured argument / header / env var name holds a credential. */
export function isSecretKey(key: string): boolean {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  key = matchText(key).text;
  const words = splitWords(key);
  if (words.some((w) => METADATA_WORDS.has(w))) return false;
  // Latin-script words count as whole words ("mdp", not "cmdparser"); others anywhere in the key.
  if (words.some((w) => ASCII_PASSWORD_WORDS.has(w))) return true;
  const lower = key.toLowerCase();
  if (OTHER_PASSWORD_WORDS.some((w) => lower.includes(w))) return true;
  if (words.length === 0) return false;
  if (words.some((w) => SHORT_SECRET_WORDS.has(w))) return true;

  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (PASSWORD_WORD_RE.test(w) || SECRET_WORD_RE.test(w) || AUTH_WORD_RE.test(w) || MISC_SECRET_WORD_RE.test(w)) {
      return true;
    }
    if (PWD_WORD_RE.test(w) && !((w === 'pwd' || w === 'oldpwd') && SHELL_PWD_RE.test(key))) return true;
    // a cookie named "session", or session id/key/token; not session_duration etc.
    if (w === 'session' && (words.length === 1 || SESSION_SUFFIXES.has(words[i + 1] ?? ''))) return true;
    if (TOKEN_WORD_RE.test(w) && !words.some((x) => TOKEN_NON_SECRET_WORDS.has(x))) return true;
    if (KEY_COMPOUND_WORD_RE.test(w)) return true;
    if ((w === 'key' || w === 'keys') && i > 0 && KEY_QUALIFIER_WORD_RE.test(words[i - 1] as string)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** High-entropy-ish: random tokens have digits or mixed case; English words don't. */
const DIGIT_RE = /[0-9]/;
const LOWER_RE = /[a-z]/;
const UPPER_RE = /[A-Z]/;

function looksLikeToken(s: string, minLength: number): boolean {
  if (s.length < minLength) return false;
  if (DIGIT_RE.test(s)) return true;
  return s.length >= 24 && LOWER_RE.test(s) && UPPER_RE.test(s);
}

function isStopChar(code: number): boolean {
  // whitespace and delimiters that end an unquoted value
  return (
    code <= 32 || code === 44 /* , */ || code === 59 /* ; */ || code === 38 /* & */ ||
    code === 34 /* " */ || code === 39 /* ' */ || code === 96 /* ` */ || code === 60 /* < */ ||
    code === 62 /* > */ || code === 41 /* ) */ || code === 93 /* ] */ || code === 125 /* } */
  );
}

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

const URL_TRAILING = '.,;:!?)]}';

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
function valueEnd(text: string, start: number, headerLike: boolean): number {
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

// ---------------------------------------------------------------------------
// Passes
// ---------------------------------------------------------------------------

const PEM_BEGIN_RE = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END_RE = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

function redactPem(text: string): string {
  if (!text.includes('-----BEGIN')) return text;
  let out = '';
  let last = 0;
  PEM_BEGIN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PEM_BEGIN_RE.exec(text)) !== null) {
    PEM_END_RE.lastIndex = m.index + m[0].length;
    const e = PEM_END_RE.exec(text);
    out += text.slice(last, m.index);
    // Truncated key (e.g. a streamed chunk): hide everything after the header.
    if (!e) return out + MASK.repeat(text.length - m.index);
    out += MASK.repeat(e.index + e[0].length - m.index);
    last = e.index + e[0].length;
    PEM_BEGIN_RE.lastIndex = last;
  }
  return last === 0 ? text : out + text.slice(last);
}

// scheme://userinfo@rest — userinfo is bounded and cannot contain / ? # or
// quotes, so it can't run into the path or the next JSON field; greedy so a
// raw '@' inside a password is covered.
const URL_CRED_RE = /\b([A-Za-z][A-Za-z0-9+.-]{0,30}):\/\/([^\s/?#"'<>`{}]{1,256})@([^\s"'<>`]*)/g;

function redactUrlCredentials(text: string): string {
  return text.replace(URL_CRED_RE, (whole, scheme: string, userinfo: string, rest: string) => {
    // `ssh://git@host` names a user, not a secret.
    const secret = userinfo.includes(':') || userinfo.length >= 16 || looksLikeToken(userinfo, 8);
    if (!secret) return whole;
    // Said after the URL instead: see urlEnd.
    return `${scheme}://${URL_MASK.repeat(userinfo.length + 1)}${rest}`;
  });
}

// A dotted run of base64url segments; JWTs are found inside it by plain string
// work, which avoids re-scanning from every "eyJ" occurrence.
const DOTTED_RUN_RE = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+/g;

function redactJwtInRun(run: string): string {
  if (!run.includes('eyJ')) return run;
  const segs = run.split('.');
  let out = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as string;
    const dot = i > 0 ? '.' : '';
    const at = seg.indexOf('eyJ');
    const next = segs[i + 1];
    if (at !== -1 && seg.length - at >= 10 && next !== undefined && next.startsWith('eyJ') && next.length >= 10) {
      // header (from eyJ) . payload [. signature], dots included
      const take = segs[i + 2] !== undefined ? 2 : 1;
      let hidden = seg.length - at;
      for (let k = 1; k <= take; k++) hidden += 1 + (segs[i + k] as string).length;
      out += dot + seg.slice(0, at) + MASK.repeat(hidden);
      i += take;
      continue;
    }
    out += dot + seg;
  }
  return out;
}

function redactJwts(text: string): string {
  if (!text.includes('eyJ')) return text;
  return text.replace(DOTTED_RUN_RE, redactJwtInRun);
}

// Provider key shapes. Greedy runs with no trailing condition, so a failed
// attempt costs at most the minimum length and a success consumes the run.
const PROVIDER_RE = new RegExp(
  [
    'sk-[A-Za-z0-9_-]{20,}', // OpenAI sk-, sk-proj-, sk-svcacct-; Anthropic sk-ant-
    '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}', // Stripe
    'whsec_[A-Za-z0-9+/=]{20,}', // Stripe webhook secret
    'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub
    'github_pat_[A-Za-z0-9_]{30,}',
    'glpat-[A-Za-z0-9_-]{20,}', // GitLab
    'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
    'xapp-[A-Za-z0-9-]{10,}',
    'AIza[0-9A-Za-z_-]{35,}', // Google
    // AWS key ids; "ASIA" is also a word, so require a boundary on both sides.
    '(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])',
    '(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36,}',
    '(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,}', // Hugging Face
  ].join('|'),
  'g',
);

function redactProviderKeys(text: string): string {
  return text.replace(PROVIDER_RE, (m) => {
    if (m.startsWith('sk-')) {
      // Avoid kebab-case words ("task-management-..."): need one long random segment.
      const tail = m.slice(3).split('-');
      if (!tail.some((seg) => looksLikeToken(seg, 16))) return m;
    }
    return MASK.repeat(m.length);
  });
}

// key <sep> value. Quoted keys may contain spaces; bare keys may be up to three
// words ("API key:", "Access token =") so prose labels are caught too.
const KEY_VALUE_RE =
  /(?:(\\{0,3}["'`])([^"'`\\\r\n]{1,64}?)\1\]?|(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,64}(?: [A-Za-z0-9_.-]{1,32}){0,2}))[ \t]{0,16}(?::=|=>|!==?|={1,3}|:)(?![:=>])[ \t]{0,16}/g;

// Command-line flags: `--password hunter2`, `curl -u user:pass`.
const FLAG_RE = /(?<![^\s"'])(--?[A-Za-z][A-Za-z0-9_-]{0,62})[ \t]{1,8}(?=[^\s-])/g;

// Words that belong to a secret's name in prose ("access token", "DB password").
const SECRET_QUALIFIERS = new Set([
  'access', 'refresh', 'id', 'api', 'private', 'secret', 'client', 'session', 'auth', 'personal',
  'bearer', 'service', 'app', 'master', 'admin', 'root', 'db', 'database', 'user', 'signing',
  'encryption', 'webhook', 'bot', 'oauth',
]);
const DETERMINERS = new Set(['the', 'a', 'an', 'my', 'your', 'our', 'their', 'his', 'her', 'its', 'this', 'that']);

function isHeaderLike(key: string): boolean {
  const c = splitWords(key).join('');
  return c === 'cookie' || c === 'setcookie';
}

function redactKeyValues(text: string): string {
  let out = '';
  let last = 0;
  KEY_VALUE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = KEY_VALUE_RE.exec(text)) !== null) {
    const quotedKey = m[2];
    let key = quotedKey ?? (m[3] as string);
    let keyStart = m.index;
    if (quotedKey === undefined && key.includes(' ') && !isSecretKey(key)) {
      // "store my api_key=…": the words before the name may hide it; try the shorter names.
      const words = key.split(' ');
      const from = words.findIndex((_, i) => i > 0 && isSecretKey(words.slice(i).join(' ')));
      if (from < 0) continue;
      const dropped = words.slice(0, from).join(' ').length + 1;
      keyStart += dropped;
      key = key.slice(dropped);
    }
    if (!isSecretKey(key)) continue;
    if (quotedKey === undefined && key.includes(' ')) {
      // Keep leading words that aren't part of the secret name ("Note" in "Note the token:"),
      // but a determiner right before the name goes with it: "Note a credential (hidden)".
      const words = key.split(' ');
      let first = 0;
      while (first < words.length - 1 && isSecretKey(words.slice(first + 1).join(' '))) first++;
      while (first > 0 && SECRET_QUALIFIERS.has((words[first - 1] as string).toLowerCase())) first--;
      if (first > 0 && DETERMINERS.has((words[first - 1] as string).toLowerCase())) first--;
      if (first > 0) {
        const kept = words.slice(0, first).join(' ').length + 1;
        keyStart += kept;
        key = key.slice(kept);
      }
    }
    const valueStart = m.index + m[0].length;
    const end = valueEnd(text, valueStart, isHeaderLike(key));
    if (end < 0) continue;
    if (SHORT_SECRET_WORDS.has(key.toLowerCase()) && !SHORT_WORD_VALUE_RE.test(text.slice(valueStart, end).replace(TRAILING_PUNCTUATION_RE, ''))) continue;
    out += text.slice(last, keyStart) + MASK.repeat(end - keyStart);
    last = end;
    KEY_VALUE_RE.lastIndex = end;
  }
  if (last > 0) text = out + text.slice(last);

  if (!text.includes('-')) return text;
  out = '';
  last = 0;
  FLAG_RE.lastIndex = 0;
  while ((m = FLAG_RE.exec(text)) !== null) {
    const flag = m[1] as string;
    const name = flag.slice(flag.startsWith('--') ? 2 : 1);
    const valueStart = m.index + m[0].length;
    const userFlag = name === 'u' || name === 'user';
    if (!userFlag && !isSecretKey(name)) continue;
    const end = valueEnd(text, valueStart, false);
    if (end < 0) continue;
    if (userFlag && !text.slice(valueStart, end).includes(':')) continue;
    out += text.slice(last, m.index) + MASK.repeat(end - m.index);
    last = end;
    FLAG_RE.lastIndex = end;
  }
  return last > 0 ? out + text.slice(last) : text;
}

const BEARER_RE = /(?<![A-Za-z0-9_-])bearer[ \t]{1,8}([A-Za-z0-9\-._~+/]{8,}=*)/gi;
const BASIC_RE = /(?<![A-Za-z0-9_-])basic[ \t]{1,8}([A-Za-z0-9+/]{6,}={0,2})(?![A-Za-z0-9+/=])/gi;

const CONTROL_OR_INVALID_RE = /[\u0000-\u001f\u007f\ufffd]/;

function isBasicCredential(b64: string): boolean {
  if (b64.length % 4 !== 0) return false;
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  // user:password, printable, valid UTF-8 (no replacement characters)
  return decoded.includes(':') && !CONTROL_OR_INVALID_RE.test(decoded);
}

function redactAuthSchemes(text: string): string {
  text = text.replace(BEARER_RE, (whole, tok: string) => (looksLikeToken(tok, 16) ? MASK.repeat(whole.length) : whole));
  return text.replace(BASIC_RE, (whole, b64: string) => (isBasicCredential(b64) ? MASK.repeat(whole.length) : whole));
}

// "my API key is 3f9a…" — long hex/base64 only counts when it follows a secret word.
const ADJACENT_RE =
  /(?<![A-Za-z0-9_])((?:(?:api|access|secret|private|auth|session|bot|refresh|client|signing)[ _-]?(?:key|token|secret)|secret|token|password|passphrase|passcode|credential|auth|apikey)s?(?:[ \t]{1,8}(?:(?:is|was|of|value|=|:)[ \t]{1,8})?|[ \t]{0,8}[:=][ \t]{0,8})["'`]?)([A-Za-z0-9+/_-]{16,}={0,2})/gi;

function redactAdjacentLongValues(text: string): string {
  return text.replace(ADJACENT_RE, (whole, lead: string, value: string) =>
    looksLikeToken(value, 32) || (value.length >= 16 && looksLikeToken(value, 16) && shannonEntropy(value) >= 3.5)
      ? lead + MASK.repeat(value.length)
      : whole,
  );
}

// "log in with password hunter2!" — a spoken password: a value with a digit, or a symbol
// before its last character, after the word. A plain word ("the password policy:") stays.
const SPOKEN_PASSWORD_RE =
  /(?<![A-Za-z0-9_])(?:password|passwd|passphrase|passcode)s?[ \t]{1,8}(?:(?:is|was|of)[ \t]{1,8})?(?:(?=[^\s"'`,;]*\d)[^\s"'`,;]+|[^\s"'`,;]*[^A-Za-z0-9\s"'`,;][^\s"'`,;]+)/gi;

function redactSpokenPasswords(text: string): string {
  return text.replace(SPOKEN_PASSWORD_RE, (whole) => (whole.includes(REDACTED) ? whole : MASK.repeat(whole.length)));
}

function maskEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && isMask(text.charCodeAt(end))) end++;
  return end;
}

/** Where a URL whose userinfo ends at `from` ends, before sentence punctuation. */
function urlEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && !isStopChar(text.charCodeAt(end)) && !URL_STOP.includes(text[end] as string)) end++;
  while (end > from && URL_TRAILING.includes(text[end - 1] as string)) end--;
  return end;
}
const URL_STOP = ',;&"\'`<>)]}';

/** Masks every secret in matching text, given its scan; `nested` is set for decoded base64, which is not decoded again. */
function detect(text: string, scan: ScanResult, nested: boolean): string {
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

/** The original with each masked run of the matching text replaced. */
function replaceMasked(original: string, match: MatchText, masked: string): string {
  const startOf = (i: number): number => (match.from === undefined ? i : i < masked.length ? (match.from[i] as number) : original.length);
  const endOf = (i: number): number => (match.to === undefined ? i : i > 0 ? (match.to[i - 1] as number) : 0);
  let out = '';
  let last = 0;
  let insertAt = -1; // a URL's hidden userinfo is said after the URL
  const flushInsert = (upTo: number): void => {
    if (insertAt < 0 || insertAt > upTo) return;
    const at = Math.max(last, endOf(insertAt));
    out += `${original.slice(last, at)} with ${REDACTED}`;
    last = at;
    insertAt = -1;
  };
  for (let i = 0; i < masked.length; i++) {
    const code = masked.charCodeAt(i);
    if (!isMask(code)) continue;
    let end = i;
    while (end < masked.length && masked.charCodeAt(end) === code) end++;
    flushInsert(i);
    const from = Math.max(last, startOf(i));
    out += original.slice(last, from);
    if (code === MASK.charCodeAt(0)) out += REDACTED;
    else if (insertAt < 0) insertAt = urlEnd(masked, end);
    last = Math.max(from, endOf(end));
    i = end - 1;
  }
  flushInsert(masked.length);
  return out + original.slice(last);
}

const TAIL_LABEL_RE = new RegExp(
  `(?<![A-Za-z0-9_])(?:[A-Za-z0-9_.-]{0,32}(?:key|token|secret|password|passwd|passphrase|credential)|pass|pw|pwd|pin|auth|authorization|bearer|basic|${PASSWORD_WORDS.map((w) => w.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')})s?["'\\]{0,3}[ \t]*(?:[:=]|is|ist|est|es|é|是|は)?["'\\]{0,3}[ \t]*$`,
  'i',
);

/**
 * Where a secret that the next chunk may complete starts at the end of `text`: a credential word
 * and its separator with the value still to come ("… and the password is "). -1 when none.
 * Streamed output cut at a word boundary is cut before it instead, so the value meets its word.
 */
export function secretTailStart(text: string): number {
  const from = Math.max(0, text.length - 96);
  const m = TAIL_LABEL_RE.exec(text.slice(from));
  return m === null ? -1 : from + m.index;
}

/** Replace secrets found in free text with {@link REDACTED}. Pure; linear time. */
export function redactText(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  let scan = SCAN.scan(text);
  if (scan.keywords === undefined && !scan.base64Run && !scan.nonAscii) return text; // common path: ordinary chunk
  let match: MatchText = { text };
  if (scan.nonAscii) {
    match = matchText(text);
    if (match.from !== undefined) scan = SCAN.scan(match.text);
  }
  const masked = detect(match.text, scan, false);
  return masked === match.text ? text : replaceMasked(text, match, masked);
}

// ---------------------------------------------------------------------------
// Structured values
// ---------------------------------------------------------------------------

interface WalkState {
  nodes: number;
  ancestors: Set<object>;
}

function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty so a "__proto__" key stays data instead of swapping the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function secretFieldValue(v: unknown): unknown {
  // null / booleans say nothing about the secret and keep "has_password: true" style data readable.
  return v === null || v === undefined || typeof v === 'boolean' ? v : REDACTED;
}

function walk(value: unknown, depth: number, state: WalkState): unknown {
  if (++state.nodes > MAX_NODES) return MORE_DATA;
  switch (typeof value) {
    case 'string':
      return redactText(value);
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return value;
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (depth <= 0) return NESTED_DATA;
  if (state.ancestors.has(obj)) return CIRCULAR;

  try {
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? String(obj) : obj.toISOString();
    if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return BINARY;
    state.ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        const n = Math.min(obj.length, MAX_ENTRIES);
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(walk(obj[i], depth - 1, state));
        if (obj.length > MAX_ENTRIES) out.push(`(${obj.length - MAX_ENTRIES} more items not shown)`);
        return out;
      }
      if (obj instanceof Set) {
        const out: unknown[] = [];
        for (const item of obj) {
          if (out.length >= MAX_ENTRIES) {
            out.push(`(${obj.size - MAX_ENTRIES} more items not shown)`);
            break;
          }
          out.push(walk(item, depth - 1, state));
        }
        return out;
      }

      const out: Record<string, unknown> = {};
      let count = 0;
      const add = (rawKey: string, read: () => unknown): boolean => {
        if (count >= MAX_ENTRIES) {
          defineEntry(out, '(more)', MORE_DATA);
          return false;
        }
        count++;
        let val: unknown;
        try {
          val = read();
        } catch {
          val = UNREADABLE;
        }
        const copy = isSecretKey(rawKey) ? secretFieldValue(val) : walk(val, depth - 1, state);
        defineEntry(out, redactText(rawKey), copy);
        return true;
      };

      if (obj instanceof Map) {
        for (const [k, v] of obj) if (!add(String(k), () => v)) break;
        return out;
      }
      if (obj instanceof Error) {
        add('name', () => obj.name);
        add('message', () => obj.message);
      }
      for (const k in obj) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
        if (!add(k, () => (obj as Record<string, unknown>)[k])) break;
      }
      return out;
    } finally {
      state.ancestors.delete(obj);
    }
  } catch {
    return UNREADABLE; // hostile proxies / throwing iterators
  }
}

/**
 * Deep-copy JSON-like data with secrets removed: values under secret keys
 * become {@link REDACTED}, every string goes through {@link redactText}.
 * Depth, entries per container and total nodes are bounded.
 */
export function redactValue(value: unknown, depth: number = DEPTH_LIMIT): unknown {
  const d = Number.isFinite(depth) ? Math.max(0, Math.min(Math.floor(depth), MAX_DEPTH_ALLOWED)) : DEPTH_LIMIT;
  return walk(value, d, { nodes: 0, ancestors: new Set() });
}
