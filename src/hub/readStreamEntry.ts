import { PHRASE_LANGUAGES, type PhraseLanguage } from '../translate/messages/catalog.js';
import type { EventPhrases } from '../translate/messages/EventPhrases.js';

/** One event as the shared log holds it (see RedisHubBackend's APPEND_ONCE). */
export interface StreamEntry {
  readonly eventId: string;
  readonly sessionId: string;
  readonly json: string;
  readonly owner: string | undefined;
  readonly phrases: EventPhrases | undefined;
}

/**
 * Reads a stream entry's fields: `i` event id, `s` session, `e` the event's JSON, then
 * optionally `o` its owner and `p` its phrases. Undefined for an entry not in that shape.
 */
export function readStreamEntry(fields: readonly string[]): StreamEntry | undefined {
  const [i, eventId, s, sessionId, e, json] = fields;
  if (i !== 'i' || s !== 's' || e !== 'e' || eventId === undefined || sessionId === undefined || json === undefined) return undefined;
  let owner: string | undefined;
  let phrases: EventPhrases | undefined;
  for (let at = 6; at + 1 < fields.length; at += 2) {
    if (fields[at] === 'o') owner = fields[at + 1];
    else if (fields[at] === 'p') phrases = parsePhrases(fields[at + 1]!);
  }
  return { eventId, sessionId, json, owner, phrases };
}

function parsePhrases(json: string): EventPhrases | undefined {
  try {
    const value = JSON.parse(json) as Partial<EventPhrases> | null;
    if (value === null || typeof value !== 'object' || !PHRASE_LANGUAGES.includes(value.language as PhraseLanguage)) return undefined;
    return value as EventPhrases;
  } catch {
    return undefined;
  }
}
