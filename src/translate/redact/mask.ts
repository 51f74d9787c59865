/**
 * Detection works on a same-length copy of the text in which every hidden character is replaced
 * by a private-use mark, so positions never shift between passes and each match maps back to the
 * original text (see normalize.ts). The marks never reach the wire: redactText replaces each run.
 */

/** Hides a character. */
export const MASK = '\uE000';
/** Hides the `user:password@` part of a URL, which is then said after the URL instead. */
export const URL_MASK = '\uE001';

const MASKS = /[\uE000\uE001]/;

export function hasMask(text: string): boolean {
  return MASKS.test(text);
}

export function isMask(code: number): boolean {
  return code === 0xe000 || code === 0xe001;
}

/** `text` with [start, end) hidden. */
export function maskRange(text: string, start: number, end: number, mark: string = MASK): string {
  return end <= start ? text : text.slice(0, start) + mark.repeat(end - start) + text.slice(end);
}

/** Applies many sorted, possibly overlapping ranges in one copy. */
export function maskRanges(text: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  if (ranges.length === 0) return text;
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let out = '';
  let last = 0;
  for (const [start, end] of sorted) {
    const from = Math.max(start, last);
    if (end <= from) continue;
    out += text.slice(last, from) + MASK.repeat(end - from);
    last = end;
  }
  return out + text.slice(last);
}

/** End of the run of marks that starts at `from`. */
export function maskEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && isMask(text.charCodeAt(end))) end++;
  return end;
}
