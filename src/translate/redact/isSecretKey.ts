import { matchText } from './normalize.js';
import { PASSWORD_WORDS } from './credentialWords.js';
import { splitWords } from './splitWords.js';

const MAX_KEY_LENGTH = 128;

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

const PASSWORD_WORD_RE = /passw(?:or)?d|passphrase|passcode/;
const PWD_WORD_RE = /pwd$/;
const SHELL_PWD_RE = /\b(?:OLD)?PWD\b/; // PWD / OLDPWD: the shell's working directory
const SECRET_WORD_RE = /secret(?!ar)/; // not "secretary"
const AUTH_WORD_RE = /^(?:auth|basicauth|httpauth|proxyauth)$|authorization/; // not "author", "authenticated"
const MISC_SECRET_WORD_RE = /credential|cookie|jwt|bearer|sessionid|sessid|sessionkey|sessiontoken/;
const TOKEN_WORD_RE = /token$/; // not "tokens" (usage counts) or "tokenizer"
const SESSION_SUFFIXES = new Set(['id', 'key', 'token', 'cookie']);
// Short names that are secrets as a key of their own ({"pin": …}, "pw=…", a SAS "sig=").
export const SHORT_SECRET_WORDS = new Set(['pin', 'pincode', 'pw', 'pass', 'sig']);
const ASCII_PASSWORD_WORDS = new Set(PASSWORD_WORDS.filter((w) => /^[a-z]+$/.test(w)));
const OTHER_PASSWORD_WORDS = PASSWORD_WORDS.filter((w) => !/^[a-z]+$/.test(w));

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
