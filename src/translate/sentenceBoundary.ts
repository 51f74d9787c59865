/**
 * Finds where the last complete sentence of streamed text ends, so output is
 * announced a sentence at a time instead of token by token (spec §4.3.3).
 */

const TERMINATORS = new Set(['.', '!', '?', '…', '。', '！', '？']);
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '»']);
const FULLWIDTH_TERMINATORS = new Set(['。', '！', '？']);

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r';
}

/**
 * Returns the index just past the last sentence boundary in `text` at or after
 * `from`, or -1. A boundary is a terminator (optionally followed by closing
 * quotes or brackets) followed by whitespace, a fullwidth terminator, or a newline.
 * Trailing whitespace after the boundary is included so the next sentence starts clean.
 */
export function lastSentenceBoundary(text: string, from = 0): number {
  for (let i = text.length - 1; i >= from; i--) {
    const ch = text[i]!;
    let end = -1;
    if (ch === '\n') {
      end = i + 1;
    } else if (FULLWIDTH_TERMINATORS.has(ch)) {
      end = i + 1;
    } else if (isSpace(ch) && i > 0) {
      let j = i - 1;
      while (j > 0 && CLOSERS.has(text[j]!)) j--;
      if (TERMINATORS.has(text[j]!)) end = i;
    }
    if (end !== -1) {
      while (end < text.length && isSpace(text[end]!)) end++;
      return end;
    }
  }
  return -1;
}

/** Length in Unicode code points, which is what `position` counts. */
export function codePointLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdbff) length++;
  }
  return length;
}
