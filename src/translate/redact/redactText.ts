import { SCAN, detect } from './detect.js';
import { matchText, type MatchText } from './normalize.js';
import { replaceMasked } from './replaceMasked.js';

/** Replace secrets found in free text with {@link REDACTED}. Pure; linear time. */
export function redactText(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  let scan = SCAN.scan(text);
  if (scan.keywords === undefined && !scan.base64Run && !scan.nonAscii) return text; // common path: ordinary chunk
  let match: MatchText = { text };
  if (scan.nonAscii) {
    match = matchText(text);
    if (match.from !== undefined) scan = SCAN.scan(match.text);
  }
  const masked = detect(match.text, scan, false);
  return masked === match.text ? text : replaceMasked(text, match, masked);
}
