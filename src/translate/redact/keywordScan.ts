/**
 * The one pass over a text that decides what redaction has to do: which of many lower-case
 * keywords occur in it (so that only the rules whose keyword is present run, as gitleaks does),
 * whether it has non-ASCII characters (which need normalising), and whether it has a run of 16
 * base64 characters (which may be a wrapped credential). Keywords are indexed by their first two
 * characters; an ASCII pair is looked up in a flat table, so most positions cost one array read.
 */

export interface ScanResult {
  /** Keywords found, compared case-insensitively; undefined when none. */
  readonly keywords: Set<string> | undefined;
  readonly nonAscii: boolean;
  readonly base64Run: boolean;
}

const BASE64_RUN = 16;

function lowerCode(code: number): number {
  if (code < 0x80) return code >= 65 && code <= 90 ? code | 0x20 : code;
  return String.fromCharCode(code).toLowerCase().charCodeAt(0);
}

function isBase64Char(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 0x20) >= 97 && (code | 0x20) <= 122) || code === 43 || code === 47 || code === 45 || code === 95;
}

export class KeywordScan {
  private readonly byPair = new Map<number, string[]>();
  /** 1 where an ASCII pair starts some keyword. */
  private readonly asciiPairs = new Uint8Array(128 * 128);

  constructor(keywords: Iterable<string>) {
    for (const keyword of new Set(keywords)) {
      if (keyword.length < 2 || keyword !== keyword.toLowerCase()) throw new Error(`keyword must be lower-case, 2+ characters: ${keyword}`);
      const a = keyword.charCodeAt(0);
      const b = keyword.charCodeAt(1);
      const pair = a * 0x10000 + b;
      const list = this.byPair.get(pair);
      if (list === undefined) this.byPair.set(pair, [keyword]);
      else list.push(keyword);
      if (a < 0x80 && b < 0x80) this.asciiPairs[(a << 7) | b] = 1;
    }
  }

  scan(text: string): ScanResult {
    let keywords: Set<string> | undefined;
    let nonAscii = false;
    let run = 0;
    let base64Run = false;
    let prev = -1;
    for (let i = 0; i < text.length; i++) {
      const raw = text.charCodeAt(i);
      if (raw >= 0x80) nonAscii = true;
      if (isBase64Char(raw)) {
        if (++run >= BASE64_RUN) base64Run = true;
      } else run = 0;
      const code = lowerCode(raw);
      if (prev >= 0 && (prev >= 0x80 || code >= 0x80 || this.asciiPairs[(prev << 7) | code] === 1)) {
        const list = this.byPair.get(prev * 0x10000 + code);
        if (list !== undefined) {
          for (const keyword of list) if (!keywords?.has(keyword) && matchesAt(text, i - 1, keyword)) (keywords ??= new Set()).add(keyword);
        }
      }
      prev = code;
    }
    return { keywords, nonAscii, base64Run };
  }
}

function matchesAt(text: string, at: number, keyword: string): boolean {
  if (at + keyword.length > text.length) return false;
  for (let k = 2; k < keyword.length; k++) if (lowerCode(text.charCodeAt(at + k)) !== keyword.charCodeAt(k)) return false;
  return true;
}
