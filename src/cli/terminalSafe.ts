/**
 * What the CLI prints comes from spans, which anyone who can send spans writes. A terminal obeys
 * escape sequences in its output (window title, clipboard through OSC 52, cursor moves that erase
 * "Nothing needs your confirmation"), and bidirectional overrides make text read differently from
 * what it says. Everything printed goes through here first.
 */

// ESC and its 8-bit C1 forms: CSI (ESC [ / U+009B) up to its final byte; OSC, DCS, SOS, PM, APC
// (ESC ] P X ^ _ / U+009D U+0090 U+0098 U+009E U+009F) up to BEL or ST, or to the end when unterminated;
// any other ESC with its intermediate and final bytes.
const SEQUENCE =
  /(?:\x1b\[|\x9b)[\x20-\x3f]{0,64}[\x40-\x7e]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[\x20-\x2f]{0,8}[\x30-\x7e]?/g;
// C0 except the newline, DEL, C1; bidi embeddings, overrides, isolates and marks; line and paragraph separators.
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const ANY_UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Text with escape sequences, control characters (but \n) and bidi controls removed; tabs become spaces. */
export function terminalSafe(text: string): string {
  if (!ANY_UNSAFE.test(text)) return text;
  return text.replace(/\t/g, ' ').replace(SEQUENCE, '').replace(UNSAFE, '');
}

// JSON.stringify already writes C0 as \u00XX; these it would write raw.
const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** One JSON line in which every character a terminal could act on is a \u escape: the data is kept. */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
