import type { AaepEvent } from '../protocol/index.js';
import { phrasesOf, type EventPhrases } from '../translate/messages/EventPhrases.js';

/**
 * An event as the hub keeps it: its JSON and the few fields the hub reads,
 * serialised once wherever it was translated, so a translator in another
 * thread hands the hub a string instead of an object to stringify.
 */
export interface SerializedEvent {
  readonly eventId: string;
  readonly sessionId: string;
  readonly type: AaepEvent['type'];
  readonly json: string;
  /** Which fields can be said in other languages. */
  readonly phrases: EventPhrases | undefined;
  /** An `awaiting.*` event's reply token. */
  readonly replyToken: string | undefined;
}

export function serializeEvent(event: AaepEvent): SerializedEvent {
  return {
    eventId: event.event_id,
    sessionId: event.session_id,
    type: event.type,
    json: JSON.stringify(event),
    phrases: phrasesOf(event),
    replyToken: event.type === 'aaep:agent.awaiting.confirmation' || event.type === 'aaep:agent.awaiting.clarification' ? event.reply_token : undefined,
  };
}
