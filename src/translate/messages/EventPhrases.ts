import { CATALOGS, type PhraseLanguage } from './catalog.js';
import { renderText, type Text } from './Phrase.js';

/** The top-level fields that may hold our phrases (everything else is the agent's or structural). */
export const LOCALIZED_FIELDS = [
  'summary_terse',
  'summary_normal',
  'summary_detailed',
  'args_summary',
  'consequence',
  'error_message',
  'remediation_hint',
] as const;

export type LocalizedField = (typeof LOCALIZED_FIELDS)[number];

/**
 * Which fields of an event are our phrases, and the language they were said in. Kept on
 * the event object under a symbol, so JSON.stringify (the wire) never sees it and object
 * spreads carry it along. One flat object: every open session keeps a few.
 */
export type EventPhrases = { readonly language: PhraseLanguage } & Readonly<Partial<Record<LocalizedField, Text>>>;

export const PHRASES: unique symbol = Symbol('aaep-otel.phrases');

export function phrasesOf(event: object): EventPhrases | undefined {
  return (event as { [PHRASES]?: EventPhrases })[PHRASES];
}

/**
 * Says the text fields of a freshly built draft event in `language`, in place, and keeps
 * (under PHRASES) the phrases they were said from; returns it, now with strings only.
 */
export function sayFields<T extends object>(draft: T, language: PhraseLanguage): T {
  const event = draft as Record<string | symbol, unknown>;
  const messages = CATALOGS[language];
  let phrases: { language: PhraseLanguage } & Partial<Record<LocalizedField, Text>> | undefined;
  for (const field of LOCALIZED_FIELDS) {
    const value = event[field] as Text | undefined;
    // A string is the agent's words, or (on a copy of an event) a phrase already said.
    if (value === undefined || typeof value === 'string') continue;
    phrases ??= { ...phrasesOf(event), language };
    phrases[field] = value;
    event[field] = renderText(value, messages);
  }
  if (phrases !== undefined) event[PHRASES] = phrases;
  return draft;
}

/**
 * The event as a subscriber in `language` hears it: our phrases said in that language and
 * `localization_hints` saying so (spec §11.2). The agent's own words are never touched.
 */
export function localizeEvent<T extends Record<string, unknown>>(event: T, phrases: EventPhrases, language: PhraseLanguage): T {
  const messages = CATALOGS[language];
  const out: Record<string, unknown> = { ...event };
  for (const field of LOCALIZED_FIELDS) {
    const text = phrases[field];
    if (text !== undefined) out[field] = renderText(text, messages);
  }
  out.localization_hints = { ...(event.localization_hints as Record<string, unknown> | undefined), primary_language: language };
  return out as T;
}
