import { eventFrameMaxBytes, writeEventFrame } from '../http/sseFrame.js';
import { splitEventFrames } from '../http/splitEventFrames.js';
import type { PhraseLanguage } from '../translate/messages/catalog.js';
import { localizeEvent, type EventPhrases } from '../translate/messages/EventPhrases.js';

/**
 * The hub's frame of one event, re-said in `language`: its phrases in that language, its
 * id and everything else as they were. A frame that cannot be re-said is returned as it is.
 */
export function localizedFrame(frame: Buffer, phrases: EventPhrases, language: PhraseLanguage): Buffer {
  const parsed = splitEventFrames(frame)[0];
  if (parsed === undefined) return frame;
  try {
    const event = localizeEvent(JSON.parse(parsed.json) as Record<string, unknown>, phrases, language);
    const eventId = String(event.event_id);
    const json = JSON.stringify(event);
    const out = Buffer.allocUnsafe(eventFrameMaxBytes(eventId, json));
    return out.subarray(0, writeEventFrame(out, 0, eventId, json));
  } catch {
    return frame;
  }
}
