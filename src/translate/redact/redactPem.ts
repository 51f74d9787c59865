import { MASK } from './mask.js';

const PEM_BEGIN_RE = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END_RE = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

export function redactPem(text: string): string {
  if (!text.includes('-----BEGIN')) return text;
  let out = '';
  let last = 0;
  PEM_BEGIN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = PEM_BEGIN_RE.exec(text)) !== null) {
    PEM_END_RE.lastIndex = m.index + m[0].length;
    const e = PEM_END_RE.exec(text);
    out += text.slice(last, m.index);
    // Truncated key (e.g. a streamed chunk): hide everything after the header.
    if (!e) return out + MASK.repeat(text.length - m.index);
    out += MASK.repeat(e.index + e[0].length - m.index);
    last = e.index + e[0].length;
    PEM_BEGIN_RE.lastIndex = last;
  }
  return last === 0 ? text : out + text.slice(last);
}
