import { MASK } from './mask.js';

// A dotted run of base64url segments; JWTs are found inside it by plain string
// work, which avoids re-scanning from every "eyJ" occurrence.
const DOTTED_RUN_RE = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+/g;

function redactJwtInRun(run: string): string {
  if (!run.includes('eyJ')) return run;
  const segs = run.split('.');
  let out = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as string;
    const dot = i > 0 ? '.' : '';
    const at = seg.indexOf('eyJ');
    const next = segs[i + 1];
    if (at !== -1 && seg.length - at >= 10 && next !== undefined && next.startsWith('eyJ') && next.length >= 10) {
      // header (from eyJ) . payload [. signature], dots included
      const take = segs[i + 2] !== undefined ? 2 : 1;
      let hidden = seg.length - at;
      for (let k = 1; k <= take; k++) hidden += 1 + (segs[i + k] as string).length;
      out += dot + seg.slice(0, at) + MASK.repeat(hidden);
      i += take;
      continue;
    }
    out += dot + seg;
  }
  return out;
}

export function redactJwts(text: string): string {
  if (!text.includes('eyJ')) return text;
  return text.replace(DOTTED_RUN_RE, redactJwtInRun);
}
