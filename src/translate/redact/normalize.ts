/**
 * The text secrets are matched in: NFKC (full-width and other compatibility letters become plain
 * ones) with invisible characters removed (zero-width spaces and joiners, soft hyphens, bidi
 * controls), so "ｐａｓｓ\u200Bword" is matched as "password". Each character of the matching text
 * remembers the span of the original it came from, so the original is what gets replaced.
 */

// Zero-width, joiners, soft hyphen, Mongolian vowel separator, bidi marks / embeddings / isolates,
// word joiner and invisible operators, variation selectors, byte-order mark, combining grapheme joiner.
const INVISIBLE = /[\ue000\ue001\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff]/;
const NON_ASCII = /[^\x00-\x7f]/;

export interface MatchText {
  readonly text: string;
  /** Original start of each matching-text character; undefined when the text is the original. */
  readonly from?: Int32Array;
  /** Original end of each matching-text character. */
  readonly to?: Int32Array;
}

export function matchText(original: string): MatchText {
  if (!NON_ASCII.test(original)) return { text: original };
  if (!INVISIBLE.test(original) && original.normalize('NFKC') === original) return { text: original };
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < original.length; ) {
    const cp = original.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = original.slice(i, i + width);
    if (cp < 0x80) {
      text += ch;
      from.push(i);
      to.push(i + 1);
    } else if (!INVISIBLE.test(ch)) {
      const n = ch.normalize('NFKC');
      text += n;
      for (let k = 0; k < n.length; k++) {
        from.push(i);
        to.push(i + width);
      }
    }
    i += width;
  }
  if (text === original) return { text };
  return { text, from: Int32Array.from(from), to: Int32Array.from(to) };
}
