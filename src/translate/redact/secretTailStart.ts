import { PASSWORD_WORDS } from './credentialWords.js';

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
