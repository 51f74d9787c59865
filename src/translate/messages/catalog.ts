import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import type { Messages } from './Messages.js';

/** The languages aaep-otel's own phrases are written in, English first (the default). */
export const CATALOGS = { en, es, fr, de } as const satisfies Record<string, Messages>;

export type PhraseLanguage = keyof typeof CATALOGS;

export const PHRASE_LANGUAGES = Object.keys(CATALOGS) as readonly PhraseLanguage[];

/**
 * The catalog for a BCP 47 tag: its primary subtag, so `fr-CA` and `fr` both get French
 * (spec §11.1.3's region and script fallback).
 */
export function phraseLanguageOf(tag: string | undefined): PhraseLanguage | undefined {
  if (tag === undefined) return undefined;
  const primary = tag.split('-')[0]!.toLowerCase();
  return Object.hasOwn(CATALOGS, primary) ? (primary as PhraseLanguage) : undefined;
}

/** The first of a subscriber's languages we have phrases in (spec §11.1.3 rule 4). */
export function firstPhraseLanguage(tags: readonly string[] | undefined): PhraseLanguage | undefined {
  for (const tag of tags ?? []) {
    const language = phraseLanguageOf(tag);
    if (language !== undefined) return language;
  }
  return undefined;
}
