import { SHORT_SECRET_WORDS, isSecretKey } from './isSecretKey.js';
import { MASK } from './mask.js';
import { splitWords } from './splitWords.js';
import { valueEnd } from './valueEnd.js';

// In prose those are also words ("First pass: tokenize"): there the value must look like a secret.
const SHORT_WORD_VALUE_RE = /[0-9]|[^A-Za-z\s"'`\\]/;
const TRAILING_PUNCTUATION_RE = /[.,;:!?)\]}]+$/;

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

export function redactKeyValues(text: string): string {
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
