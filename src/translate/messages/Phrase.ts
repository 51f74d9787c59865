import { truncate } from '../textShape.js';
import { en } from './en.js';
import type { MessageKey, Messages } from './Messages.js';

/**
 * A fixed phrase not yet put into words: its key in the catalog and its arguments. The
 * translator writes these instead of strings, so one event can be said in each
 * subscriber's language; they are plain JSON, so they travel with the event through a
 * shared hub (see src/hub/RedisHubBackend.ts).
 */
export interface Phrase {
  readonly k: MessageKey;
  readonly a: readonly PhraseArg[];
}

/** Texts side by side (`s` between them), cut to `m` characters once said. */
export interface JoinedText {
  readonly j: readonly Text[];
  readonly s: string;
  readonly m?: number;
}

/** What a text field holds while an event is built: the agent's own words, or our phrases. */
export type Text = string | Phrase | JoinedText;

/** JSON turns `undefined` inside arrays into `null`, so both mean "absent". */
export type PhraseArg = Text | readonly Text[] | number | boolean | undefined | null;

type Lift<T> = T extends string ? Text : T extends readonly string[] ? readonly Text[] : T;
type LiftArgs<A extends readonly unknown[]> = { [I in keyof A]: Lift<A[I]> };

/** Builds phrases by name: `phrase.using(tool)` is the phrase "Using tool." in every language. */
export type PhraseBuilder = { readonly [K in MessageKey]: (...args: LiftArgs<Parameters<Messages[K]>>) => Phrase };

const SHARED_LIMIT = 1024;
const SHARED_ARG_CHARS = 64;
const bare = new Map<MessageKey, Phrase>();
const withWord = new Map<MessageKey, Map<string, Phrase>>();

/**
 * Phrases are immutable, and every open session keeps a few (in the events a late listener
 * is re-sent), so the common ones — no argument, or one short word like a state or a tool
 * name — are one object each: at most 1,024 words per phrase, cleared wholesale when full.
 */
function make(k: MessageKey, a: PhraseArg[]): Phrase {
  if (a.length === 0) {
    let made = bare.get(k);
    if (made === undefined) bare.set(k, (made = { k, a }));
    return made;
  }
  const only = a[0];
  if (a.length > 1 || typeof only !== 'string' || only.length > SHARED_ARG_CHARS) return { k, a };
  let byWord = withWord.get(k);
  if (byWord === undefined) withWord.set(k, (byWord = new Map()));
  let made = byWord.get(only);
  if (made === undefined) {
    if (byWord.size >= SHARED_LIMIT) byWord.clear();
    byWord.set(only, (made = { k, a }));
  }
  return made;
}

export const phrase = Object.fromEntries(
  (Object.keys(en) as MessageKey[]).map((k) => [k, (...a: PhraseArg[]): Phrase => make(k, a)]),
) as unknown as PhraseBuilder;

/** Texts one after another, separated by `separator`; with `max`, shortened once said. */
export function joined(parts: readonly Text[], separator = ' ', max?: number): Text {
  if (parts.length === 1 && max === undefined) return parts[0]!;
  return max === undefined ? { j: parts, s: separator } : { j: parts, s: separator, m: max };
}

export function isPlainText(text: Text): text is string {
  return typeof text === 'string';
}

/** Says a text in one language: the agent's words stay as they are, phrases come from `messages`. */
export function renderText(text: Text, messages: Messages): string {
  if (typeof text === 'string') return text;
  if ('j' in text) {
    const said = text.j.map((part) => renderText(part, messages)).join(text.s);
    return text.m === undefined ? said : truncate(said, text.m);
  }
  const say = messages[text.k] as ((...args: unknown[]) => string) | undefined;
  if (typeof say !== 'function') throw new TypeError(`No phrase "${String(text.k)}" in the catalog.`);
  const a = text.a;
  // No array per rendering for the usual counts: this runs for every event.
  switch (a.length) {
    case 0:
      return say.call(messages);
    case 1:
      return say.call(messages, renderArg(a[0], messages));
    case 2:
      return say.call(messages, renderArg(a[0], messages), renderArg(a[1], messages));
    case 3:
      return say.call(messages, renderArg(a[0], messages), renderArg(a[1], messages), renderArg(a[2], messages));
    default:
      return say.apply(messages, a.map((arg) => renderArg(arg, messages)));
  }
}

function renderArg(arg: PhraseArg, messages: Messages): unknown {
  if (arg === null || arg === undefined) return undefined;
  if (typeof arg !== 'object') return arg;
  if (Array.isArray(arg)) return (arg as readonly Text[]).map((item) => renderText(item, messages));
  return renderText(arg as Text, messages);
}
