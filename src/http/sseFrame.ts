/**
 * Server-Sent Events framing in one place (WHATWG HTML §9.2). Field values cannot
 * contain line breaks, so `event` and `id` are stripped of them and `data` is split
 * into one `data:` line per line of text.
 */

const LINE_BREAK = /\r\n|\r|\n/;
const UNSAFE_FIELD = /[\r\n\0]/g;

export function sseFrame(fields: { event?: string; id?: string; data: string }): string {
  let frame = '';
  if (fields.event !== undefined) frame += `event: ${fields.event.replace(UNSAFE_FIELD, '')}\n`;
  if (fields.id !== undefined) frame += `id: ${fields.id.replace(UNSAFE_FIELD, '')}\n`;
  for (const line of fields.data.split(LINE_BREAK)) frame += `data: ${line}\n`;
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
