import type { AaepEvent } from '../protocol/index.js';

/** An event from its SSE data, checked only for a string `type`, `event_id` and `session_id`; undefined when it is not one. */
export function parseEvent(data: string): AaepEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { type, event_id: eventId, session_id: sessionId } = value as Record<string, unknown>;
  const valid = typeof type === 'string' && typeof eventId === 'string' && eventId !== '' && typeof sessionId === 'string';
  return valid ? (value as AaepEvent) : undefined;
}
