/**
 * Regenerates src/translate/redact/gitleaksRules.ts from a gitleaks config (gitleaks.toml).
 *
 *   npx tsx scripts/generateGitleaksRules.ts <gitleaks.toml> "<where it came from>"
 *
 * gitleaks (https://github.com/gitleaks/gitleaks, MIT) writes its rules for Go's RE2. This script turns
 * each rule into a JavaScript RegExp: inline flags such as `(?i)` part-way through a pattern, `(?-i:…)`
 * and `(?s:…)` are expanded by hand (JavaScript has no scoped flags before Node 23), `\z` becomes `$`,
 * and the rule's closing delimiter group also accepts sentence punctuation, because agents write prose,
 * not config files; the optional `[\w.-]{0,50}?` key-name prefix is dropped (see goToJs). Rules that cannot be ported faithfully, or that are kept out on purpose, are listed
 * in the generated file with the reason.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from 'smol-toml';

interface TomlRule {
  id: string;
  regex?: string;
  path?: string;
  entropy?: number;
  secretGroup?: number;
  keywords?: string[];
}

/** Kept out on purpose, with the reason written into the generated file. */
const EXCLUDED: Record<string, string> = {
  'generic-api-key': 'any "key/token/auth = value"; redact.ts judges key words itself, with fewer false alarms in prose',
  'curl-auth-header': 'unbounded `.*` runs backtrack on hostile text; redact.ts hides Authorization headers and -u flags',
  'curl-auth-user': 'unbounded `.*` runs backtrack on hostile text; redact.ts hides Authorization headers and -u flags',
};

// Go's rule delimiter after a secret; prose also ends a secret with punctuation.
const GO_END = String.raw`(?:[\x60'"\s;]|\\[nr]|$)`;
const PROSE_END = String.raw`(?:[\x60'"\s;.,:!?)\]}>]|\\[nr]|$)`;

const KEY_PREFIX = String.raw`[\w.-]{0,50}?`;

const POSIX: Record<string, string> = {
  alnum: 'a-zA-Z0-9', alpha: 'a-zA-Z', digit: '0-9', lower: 'a-z', upper: 'A-Z', xdigit: '0-9a-fA-F', space: String.raw`\s`, word: String.raw`\w`,
};

function otherCase(ch: string): string {
  const lower = ch.toLowerCase();
  return lower === ch ? ch.toUpperCase() : lower;
}

/** A Go character class `[...]` starting at `i`; returns the JS class and the index after it. */
function convertClass(src: string, i: number, ci: boolean): [string, number] {
  let j = i + 1;
  let out = '[';
  if (src[j] === '^') {
    out += '^';
    j++;
  }
  let first = true;
  const extra: string[] = [];
  while (j < src.length && (src[j] !== ']' || first)) {
    first = false;
    const ch = src[j]!;
    if (ch === '[' && src[j + 1] === ':') {
      const end = src.indexOf(':]', j + 2);
      const name = src.slice(j + 2, end);
      const mapped = POSIX[name];
      if (mapped === undefined) throw new Error(`posix class ${name}`);
      out += mapped;
      j = end + 2;
      continue;
    }
    if (ch === '\\') {
      const n = src[j + 1]!;
      if (n === 'x') {
        if (src[j + 2] === '{') throw new Error('\\x{…}');
        out += src.slice(j, j + 4);
        j += 4;
      } else if (n === 'p' || n === 'P') {
        throw new Error('unicode class');
      } else {
        out += src.slice(j, j + 2);
        j += 2;
      }
      continue;
    }
    if (ch === '[') {
      out += '\\[';
      j++;
      continue;
    }
    // a-z style range
    if (src[j + 1] === '-' && src[j + 2] !== undefined && src[j + 2] !== ']') {
      const to = src[j + 2]!;
      out += `${ch}-${to}`;
      if (ci && /[a-zA-Z]/.test(ch) && /[a-zA-Z]/.test(to)) extra.push(`${otherCase(ch)}-${otherCase(to)}`);
      j += 3;
      continue;
    }
    out += ch;
    if (ci && /[a-zA-Z]/.test(ch)) extra.push(otherCase(ch));
    j++;
  }
  if (src[j] !== ']') throw new Error('unterminated class');
  return [`${out}${extra.join('')}]`, j + 1];
}

/** Go RE2 syntax to JavaScript, with scoped case-insensitivity and dot-all expanded. */
export function goToJs(src: string): { source: string; flags: string } {
  let flags = '';
  if (src.startsWith('(?i)') && !src.includes('(?-i')) {
    flags = 'i';
    src = src.slice(4);
  }
  src = src.split(GO_END).join(PROSE_END);
  // The optional key-name prefix only widens the match; without it the secret is found the same and a
  // backtracking engine is not made to try 50 x 50 lengths at every word character.
  src = src.split(KEY_PREFIX).join('');
  const frames: Array<{ ci: boolean; dotAll: boolean }> = [{ ci: false, dotAll: false }];
  let out = '';
  let i = 0;
  while (i < src.length) {
    const top = frames[frames.length - 1]!;
    const ch = src[i]!;
    if (ch === '\\') {
      const n = src[i + 1]!;
      if (n === 'z') out += '$';
      else if (n === 'A') out += '^';
      else if (n === 'p' || n === 'P' || n === 'Q') throw new Error(`\\${n}`);
      else if (n === 'x') {
        if (src[i + 2] === '{') throw new Error('\\x{…}');
        out += src.slice(i, i + 4);
        i += 4;
        continue;
      } else out += `\\${n}`;
      i += 2;
      continue;
    }
    if (ch === '[') {
      const [cls, next] = convertClass(src, i, top.ci);
      out += cls;
      i = next;
      continue;
    }
    if (ch === '(') {
      if (src[i + 1] !== '?') {
        frames.push({ ...top });
        out += '(';
        i++;
        continue;
      }
      const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(src.slice(i));
      if (m === null) {
        const named = /^\(\?P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(src.slice(i));
        if (named === null) throw new Error(`group ${src.slice(i, i + 6)}`);
        frames.push({ ...top });
        out += '(';
        i += named[0].length;
        continue;
      }
      const on = m[1] ?? '';
      const off = m[2] ?? '';
      if (/[^is]/.test(on + off)) throw new Error(`flag ${on}-${off}`);
      const frame = { ci: top.ci, dotAll: top.dotAll };
      if (on.includes('i')) frame.ci = true;
      if (off.includes('i')) frame.ci = false;
      if (on.includes('s')) frame.dotAll = true;
      if (off.includes('s')) frame.dotAll = false;
      if (m[3] === ')') {
        // (?i) alone: the rest of the current group.
        frames[frames.length - 1] = frame;
      } else {
        frames.push(frame);
        out += '(?:';
      }
      i += m[0].length;
      continue;
    }
    if (ch === ')') {
      frames.pop();
      if (frames.length === 0) throw new Error('unbalanced )');
      out += ')';
      i++;
      continue;
    }
    if (ch === '.') {
      out += top.dotAll ? '[^]' : '.';
      i++;
      continue;
    }
    if (ch === '{') {
      const q = /^\{\d*(?:,\d*)?\}/.exec(src.slice(i));
      if (q !== null) {
        out += q[0];
        i += q[0].length;
        continue;
      }
    }
    if (top.ci && /[a-zA-Z]/.test(ch)) out += `[${ch}${otherCase(ch)}]`;
    else if (ch === '/') out += '\\/';
    else out += ch;
    i++;
  }
  new RegExp(out, `${flags}gd`); // throws when the port is not valid JavaScript
  return { source: out, flags: `${flags}gd` };
}

function main(): void {
  const [file, origin] = process.argv.slice(2);
  if (file === undefined || origin === undefined) {
    process.stderr.write('usage: tsx scripts/generateGitleaksRules.ts <gitleaks.toml> "<origin and version>"\n');
    process.exit(2);
  }
  const config = parse(readFileSync(file, 'utf8')) as { rules?: TomlRule[] };
  const ported: string[] = [];
  const skipped: string[] = [];
  for (const rule of config.rules ?? []) {
    if (EXCLUDED[rule.id] !== undefined) {
      skipped.push(`${rule.id}: ${EXCLUDED[rule.id]}`);
      continue;
    }
    if (rule.regex === undefined) {
      skipped.push(`${rule.id}: matches file names only`);
      continue;
    }
    if (rule.path !== undefined) {
      skipped.push(`${rule.id}: applies only to files named ${rule.path}`);
      continue;
    }
    try {
      const { source, flags } = goToJs(rule.regex);
      const fields = [
        `id: ${JSON.stringify(rule.id)}`,
        `pattern: new RegExp(${JSON.stringify(source)}, ${JSON.stringify(flags)})`,
        `keywords: ${JSON.stringify((rule.keywords ?? []).map((k) => k.toLowerCase()))}`,
      ];
      if (rule.entropy !== undefined) fields.push(`entropy: ${rule.entropy}`);
      if (rule.secretGroup !== undefined) fields.push(`secretGroup: ${rule.secretGroup}`);
      ported.push(`  { ${fields.join(', ')} },`);
    } catch (error) {
      skipped.push(`${rule.id}: not portable (${(error as Error).message})`);
    }
  }
  const text = `// Generated by scripts/generateGitleaksRules.ts; do not edit by hand.
//
// Ported from the gitleaks default rule set: ${origin}.
// gitleaks is Copyright (c) 2019 Zachary Rice, MIT License
// (https://github.com/gitleaks/gitleaks/blob/master/LICENSE).
//
// ${ported.length} rules ported; left out:
${skipped.map((line) => `//   - ${line}`).join('\n')}

/** One provider shape: the secret is the first non-empty capture group, else the whole match. */
export interface GitleaksRule {
  readonly id: string;
  /** Global, with match indices. */
  readonly pattern: RegExp;
  /** Lower-case words one of which every match contains; the rule runs only when one is present. */
  readonly keywords: readonly string[];
  /** Minimum Shannon entropy (bits per character) of the secret. */
  readonly entropy?: number;
  readonly secretGroup?: number;
}

export const GITLEAKS_RULES: readonly GitleaksRule[] = [
${ported.join('\n')}
];
`;
  writeFileSync(new URL('../src/translate/redact/gitleaksRules.ts', import.meta.url), text);
  process.stdout.write(`${ported.length} rules ported, ${skipped.length} left out\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
