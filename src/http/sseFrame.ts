/**
 * Server-Sent Events framing in one place (WHATWG HTML §9.2). Field values cannot
 * contain line breaks, so `event` and `id` are stripped of them and `data` is split
 * into one `data:` line per line of text.
 */

const LINE_BREAK = /\r\n|\r|\n/;
const UNSAFE_FIELD = /[\r\n\0]/g;
const HAS_LINE_BREAK = /[\r\n]/;

export function sseFrame(fields: { event?: string; id?: string; data: string }): string {
  let frame = '';
  if (fields.event !== undefined) frame += `event: ${fields.event.replace(UNSAFE_FIELD, '')}\n`;
  if (fields.id !== undefined) frame += `id: ${fields.id.replace(UNSAFE_FIELD, '')}\n`;
  if (!HAS_LINE_BREAK.test(fields.data)) frame += `data: ${fields.data}\n`;
  else for (const line of fields.data.split(LINE_BREAK)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** A comment line: ignored by clients, keeps proxies from closing an idle stream. */
export function sseComment(text: string): string {
  return `: ${text.replace(LINE_BREAK, ' ')}\n\n`;
}

/** Tells EventSource how long to wait before reconnecting. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

const EVENT_AND_ID = Buffer.from('event: aaep.event\nid: ');
const DATA = Buffer.from('\ndata: ');
const END = Buffer.from('\n\n');

/** Most bytes `writeEventFrame` may need for an id and a JSON text. */
export function eventFrameMaxBytes(id: string, json: string): number {
  return EVENT_AND_ID.length + id.length * 3 + DATA.length + json.length * 3 + END.length;
}

/**
 * Writes an `aaep.event` frame straight into `target` at `offset` and returns its
 * length, without building the frame as a string first (the hub's hot path).
 * `json` must come from JSON.stringify, which never emits a raw line break; the id
 * is stripped of line breaks like any SSE field.
 */
export function writeEventFrame(target: Buffer, offset: number, id: string, json: string): number {
  let at = offset;
  at += EVENT_AND_ID.copy(target, at);
  at += target.write(UNSAFE_FIELD.test(id) ? id.replace(UNSAFE_FIELD, '') : id, at, 'utf8');
  at += DATA.copy(target, at);
  at += target.write(json, at, 'utf8');
  at += END.copy(target, at);
  return at - offset;
}

/** Offset of the id inside a frame written by `writeEventFrame`. */
export const EVENT_FRAME_ID_OFFSET = EVENT_AND_ID.length;
