import { maskRanges } from './mask.js';

/**
 * "Password" in the most spoken languages (English, Mandarin, Hindi, Spanish, French, Arabic,
 * Bengali, Portuguese, Russian, Japanese, German, Urdu, Indonesian, Korean, Turkish, Vietnamese,
 * Italian, Polish, Dutch, Swedish), matched after NFKC, case-insensitively.
 */
export const PASSWORD_WORDS: readonly string[] = [
  'password', 'passwd', 'passphrase', 'passcode',
  '密码', '密碼', '口令', '密钥', '密鑰',
  'पासवर्ड', 'कूटशब्द',
  'contraseña', 'contrasena', 'clave secreta',
  'mot de passe', 'mdp',
  'كلمة المرور', 'كلمة السر', 'كلمة مرور', 'رمز المرور',
  'পাসওয়ার্ড',
  'senha', 'palavra-passe',
  'пароль', 'пароля', 'паролем',
  'パスワード', '暗証番号', '合言葉',
  'passwort', 'kennwort',
  'پاس ورڈ',
  'kata sandi', 'kata laluan',
  '비밀번호', '암호',
  'şifre', 'sifre', 'parola',
  'mật khẩu',
  'hasło', 'haslo',
  'wachtwoord', 'lösenord',
];

/** Short forms that are also ordinary words ("pass the salt"): hidden only with a password-like value. */
// (`pwd` is left to redact.ts, which knows the shell's PWD.)
const SHORT_WORDS: readonly string[] = ['pass', 'pw', 'pin', 'pin code', 'pincode', 'code pin', 'código pin', 'пин-код', 'пин'];

/** Lower-case stems for the keyword scan. */
export const CREDENTIAL_WORD_KEYWORDS: readonly string[] = [...PASSWORD_WORDS, ...SHORT_WORDS];

const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&').replace(/ /g, '[ \\t]');
const byLength = (a: string, b: string): number => b.length - a.length;
const LETTER = 'A-Za-z0-9_\\u00c0-\\u024f\\u0400-\\u04ff';

// word, separator, value. The separator is ":" / "=" (NFKC has turned "：" and "＝" into these),
// a copula ("is", "ist", "est", "es", "é", "это", "是", "は"), or just a space.
const WORD_VALUE_RE = new RegExp(
  `(?<![${LETTER}])(?:(${[...PASSWORD_WORDS].sort(byLength).map(escape).join('|')})|(${[...SHORT_WORDS].sort(byLength).map(escape).join('|')}))s?(?![${LETTER}-])` +
    `(?:[ \\t]*([:=])[ \\t]*|[ \\t]+(?:is|was|est|ist|war|es|era|é|это|—|–)[ \\t]+|[ \\t]*(?:是|为|為|は|が)[ \\t]*|[ \\t]+)` +
    `("[^"\\n]{1,200}"|'[^'\\n]{1,200}'|「[^」\\n]{1,200}」|[^\\s"'\`,;。、，「」]{1,200})`,
  'gi',
);

const PASSWORD_LIKE = /[0-9]|[^\p{L}\p{M}\s]/u;
// Without ":" or "=", a word after "password" is a password only with a digit, or a symbol before its end.
const SPOKEN_LIKE = /[0-9]|[^\p{L}\p{M}\s](?=.)/u;
const PIN_LIKE = /^\d{4,12}$/;
const NOT_A_VALUE = new Set(['null', 'none', 'undefined', 'true', 'false', 'string', 'required', 'optional', '*****', '***', '<redacted>']);

/** Masks "contraseña: …", "パスワードは…", "PIN 1234", "pw=…" and the like. */
export function maskCredentialWords(text: string): string {
  const ranges: Array<[number, number]> = [];
  WORD_VALUE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WORD_VALUE_RE.exec(text)) !== null) {
    let value = m[4]!;
    const explicit = m[3] !== undefined;
    const quoted = /^["'「]/.test(value);
    if (!quoted) value = value.replace(/[.!?:;,)\]}]+$/, '');
    if (value === '' || value.startsWith('{') || value.startsWith('[') || NOT_A_VALUE.has(value.toLowerCase())) continue;
    const core = quoted ? value.slice(1, -1) : value;
    if (m[2] !== undefined) {
      // pass / pw / pin: a value that looks like a password or a PIN, never a plain word.
      const word = m[2].toLowerCase();
      const pin = word.includes('pin') || word.includes('пин');
      if (pin ? !/\d{3,}/.test(core) : !(explicit && PASSWORD_LIKE.test(core))) continue;
    } else if (!explicit && !quoted && !SPOKEN_LIKE.test(core) && !PIN_LIKE.test(core)) {
      continue; // "Passwort ändern", "la contraseña es segura": no value
    }
    const start = m.index;
    ranges.push([start, start + m[0].length - (m[4]!.length - value.length)]);
  }
  return maskRanges(text, ranges);
}
