/** "Searching the web for 'flights to Oslo'": a tool call said from its description and arguments. */
import { describeDataText } from '../../translate/describe.js';
import { truncate } from '../../translate/textShape.js';
import type { AttributeValue } from '../../records.js';
import { isSecretKey } from '../../translate/redact/redact.js';
import { isRecord, parseJsonAttribute } from './jsonAttribute.js';

const DOUBLED: ReadonlySet<string> = new Set(['get', 'set', 'run', 'stop', 'plan', 'scan', 'submit', 'ship', 'drop', 'put', 'chat']);

/** Verbs tool descriptions start with, and their -ing form. */
const TOOL_VERBS: ReadonlyMap<string, string> = new Map(
  (
    'add analyse analyze answer apply approve ask assign book browse build buy calculate call cancel ' +
    'change check close compare compose compute convert copy count crawl create decode decrypt delete ' +
    'deploy describe detect display download draft draw edit email encode encrypt estimate evaluate ' +
    'execute explain export extract fetch fill filter find format forecast generate geocode get ' +
    'import insert install invite list load locate look lookup measure merge modify monitor move ' +
    'navigate notify open order parse pay pause ping plan play post predict print provide publish ' +
    'query read recommend record remind remove rename render reply request reserve reset resize ' +
    'resolve restart retrieve return review run save scan schedule scrape search send set share ' +
    'show sign sort speak split start stop submit subscribe suggest summarise summarize sync ' +
    'tell test track transcribe transfer translate update upload validate verify visit write'
  )
    .split(' ')
    .map((verb): [string, string] => [verb, ingForm(verb)]),
);

function ingForm(verb: string): string {
  if (verb === 'lookup') return 'looking up';
  if (DOUBLED.has(verb)) return `${verb}${verb[verb.length - 1]}ing`;
  if (verb.endsWith('ee')) return `${verb}ing`;
  if (verb.endsWith('e')) return `${verb.slice(0, -1)}ing`;
  return `${verb}ing`;
}

/** "Searches" / "queries" / "fetches" → the verb's entry, if it is one we know. */
function gerundOf(word: string): string | undefined {
  const lower = word.toLowerCase();
  const candidates = [lower];
  if (lower.endsWith('ies')) candidates.push(`${lower.slice(0, -3)}y`);
  if (lower.endsWith('es')) candidates.push(lower.slice(0, -2));
  if (lower.endsWith('s')) candidates.push(lower.slice(0, -1));
  for (const candidate of candidates) {
    const ing = TOOL_VERBS.get(candidate);
    if (ing !== undefined) return ing;
  }
  return undefined;
}

const LEAD_IN = /^(?:(?:use|call|invoke)\s+(?:this|the)\s+(?:tool|function)\s+(?:to\s+)?|(?:this|a|an|the)?\s*(?:tool|function)\s+(?:that|which|to|for)\s+)/i;
/** A generic object the argument stands for: "for a city", "for up-to-date information". */
const PLACEHOLDER_FOR =
  /\s+for\s+(?:(?:a|an|any|some|one or more|the given|a given|given)\b.*|(?:[\w-]+\s+){0,3}(?:information|info|results|data|content|details|answers|matches)\b.*)$/i;

/** "Search the web for information." → "Searching the web for information", or undefined. */
function gerundClause(description: string): string | undefined {
  let clause = description.trim().split(/(?<=[.!?])\s|\n|;|\s[-–—]\s|\s\(/)[0] ?? '';
  clause = clause.replace(/[.!?:,]+$/, '').replace(LEAD_IN, '').trim();
  if (clause === '' || clause.length > 100) return undefined;
  const match = /^([A-Za-z]+)(.*)$/.exec(clause);
  if (match === null) return undefined;
  const [, first = '', rest = ''] = match;
  const lowerFirst = first.toLowerCase();
  const ing = lowerFirst.endsWith('ing') && TOOL_VERBS.has(lowerFirst.slice(0, -3)) ? lowerFirst : gerundOf(first);
  if (ing === undefined) return undefined;
  return `${ing[0]!.toUpperCase()}${ing.slice(1)}${rest}`;
}

const MAX_SUBJECT_CHARS = 80;
const DETERMINER = '(?:(?:a|an|the|the given|a given|given|any|some)\\s+)?';

/** "cityName" / "city_name" → a pattern for "city name" in a description. */
function keyPattern(key: string): RegExp | undefined {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0 || words.join('').length < 3) return undefined;
  return new RegExp(`\\b${DETERMINER}${words.join('\\s+')}\\b`, 'i');
}

/** Puts the argument's value where the description names it, or after the action. */
function withSubject(action: string, key: string | undefined, subject: string): string {
  const named = key === undefined ? undefined : keyPattern(key);
  if (named !== undefined && named.test(action)) return action.replace(named, () => subject);
  if (PLACEHOLDER_FOR.test(action)) return action.replace(PLACEHOLDER_FOR, () => ` for ${subject}`);
  return /\sfor\s/i.test(action) ? `${action}: ${subject}` : `${action} for ${subject}`;
}

/**
 * A human sentence for a tool call from the tool's description and its
 * arguments: "Searching the web for 'flights to Oslo'", "Getting the weather
 * forecast for 'Oslo'" (from "Get the weather forecast for a city" and
 * `{"city":"Oslo"}`). Undefined when the description does not start with a verb
 * we know (the translator then says "Using search web, query: flights to Oslo").
 */
export function describeToolCall(description: string | undefined, args: AttributeValue | undefined): string | undefined {
  if (description === undefined) return undefined;
  const action = gerundClause(description);
  if (action === undefined) return undefined;
  if (typeof args !== 'string' || args.trim() === '') return action;
  const parsed = parseJsonAttribute(args);
  if (parsed === undefined) {
    // A tool that takes plain text (LangChain's single-string tools).
    return withSubject(action, undefined, `'${truncate(args, MAX_SUBJECT_CHARS)}'`);
  }
  if (isRecord(parsed)) {
    const entries = Object.entries(parsed).filter(([, value]) => value !== null && value !== undefined && value !== '');
    const only = entries.length === 1 ? entries[0] : undefined;
    if (only !== undefined && typeof only[1] === 'string' && !isSecretKey(only[0])) {
      return withSubject(action, only[0], `'${truncate(only[1], MAX_SUBJECT_CHARS)}'`);
    }
    if (entries.length === 0) return action;
  }
  const details = describeDataText(args);
  return details === undefined ? action : `${action}, ${details}`;
}
