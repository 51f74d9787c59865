import { sseFrame } from '../http/sseFrame.js';
import type { AaepEvent } from '../protocol/index.js';
import type { PhraseLanguage } from '../translate/messages/catalog.js';
import { localizeEvent, phrasesOf } from '../translate/messages/EventPhrases.js';

/** Where one open session stands: the events a late subscriber is re-sent, in sequence order. */
export interface CatchUpSession {
  readonly sessionId: string;
  readonly events: readonly AaepEvent[];
}

/**
 * Gives the catch-up of the open sessions (or of one), most urgent first, at most `maxSessions`;
 * with `hears`, only of the sessions whose owner (a principal, or undefined) it accepts.
 */
export type CatchUpSource = (sessionId: string | undefined, maxSessions: number, hears?: (owner: string | undefined) => boolean) => readonly CatchUpSession[];

/** SSE event name of the empty frame that ends a catch-up: it only sets the stream's last event id. */
export const POSITION_EVENT = 'aaep.position';

/**
 * One subscriber's catch-up, serialised lazily a slice at a time as its transport
 * drains, so a large one never builds up in memory or holds the event loop.
 * Sessions go whole or not at all, until `budgetBytes` is reached.
 *
 * Re-sent events carry no SSE `id`: they are not a position in the stream, and a
 * client resuming from one would be sent again what followed it long ago. The
 * catch-up ends with an id-only frame naming the last event published before it,
 * so a client that reconnects resumes exactly where its live events start.
 */
export class CatchUp {
  /** Bytes handed to the transport so far; they count against the subscriber's byte bound. */
  written = 0;
  private next = 0;
  private done = false;
  /** The frame that ends the catch-up, which the budget makes room for. */
  private readonly end: string;

  constructor(
    private readonly sessions: readonly CatchUpSession[],
    private readonly budgetBytes: number,
    /** Id of the last event published before the catch-up was taken. */
    position: string | undefined,
    /** The subscriber's language, asked as each slice is made (it may negotiate one after it joined). */
    private readonly language: () => PhraseLanguage | undefined = () => undefined,
  ) {
    this.end = position === undefined ? '' : sseFrame({ event: POSITION_EVENT, id: position, data: '' });
  }

  /** The next frames, about `sliceBytes` of them, or undefined once everything is out. */
  take(sliceBytes: number): Buffer | undefined {
    if (this.done) return undefined;
    let text = '';
    let bytes = 0;
    while (this.next < this.sessions.length && bytes < sliceBytes) {
      const session = this.sessions[this.next]!;
      let frames = '';
      const language = this.language();
      for (const event of session.events) frames += sseFrame({ event: 'aaep.event', data: JSON.stringify(said(event, language)) });
      const length = Buffer.byteLength(frames);
      if (this.written + bytes + length + this.end.length > this.budgetBytes) {
        this.next = this.sessions.length;
        break;
      }
      text += frames;
      bytes += length;
      this.next++;
    }
    if (this.next >= this.sessions.length) {
      this.done = true;
      text += this.end;
    }
    const slice = Buffer.from(text);
    this.written += slice.length;
    return slice;
  }
}

function said(event: AaepEvent, language: PhraseLanguage | undefined): AaepEvent {
  if (language === undefined) return event;
  const phrases = phrasesOf(event);
  return phrases === undefined || phrases.language === language ? event : localizeEvent(event, phrases, language);
}
