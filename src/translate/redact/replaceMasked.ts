import { isStopChar } from './isStopChar.js';
import { MASK, isMask } from './mask.js';
import type { MatchText } from './normalize.js';
import { REDACTED } from './redacted.js';

const URL_TRAILING = '.,;:!?)]}';
const URL_STOP = ',;&"\'`<>)]}';

/** Where a URL whose userinfo ends at `from` ends, before sentence punctuation. */
function urlEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && !isStopChar(text.charCodeAt(end)) && !URL_STOP.includes(text[end] as string)) end++;
  while (end > from && URL_TRAILING.includes(text[end - 1] as string)) end--;
  return end;
}

/** The original with each masked run of the matching text replaced. */
export function replaceMasked(original: string, match: MatchText, masked: string): string {
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
