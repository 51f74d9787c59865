/** High-entropy-ish: random tokens have digits or mixed case; English words don't. */
const DIGIT_RE = /[0-9]/;
const LOWER_RE = /[a-z]/;
const UPPER_RE = /[A-Z]/;

export function looksLikeToken(s: string, minLength: number): boolean {
  if (s.length < minLength) return false;
  if (DIGIT_RE.test(s)) return true;
  return s.length >= 24 && LOWER_RE.test(s) && UPPER_RE.test(s);
}
