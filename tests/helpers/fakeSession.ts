/** Publishes schema-valid events straight into a hub, for delivery tests that need many events fast. */
import type { EventHub } from '../../src/hub/EventHub.js';
import { Translator } from '../../src/translate/index.js';
import { ended, event, started } from './records.js';

let nextSpan = 1;

/** Runs one session of `chunks` output sentences through a real translator into the hub. */
export function publishSession(hub: Pick<EventHub, 'publish'>, chunks: number, options: { end?: boolean; text?: string; request?: string } = {}): { sessionId: string; translator: Translator } {
  const translator = new Translator({ producer: { agent_id: 'test-agent' }, emit: (e) => hub.publish(e) });
  const root = nextSpan++;
  const llm = nextSpan++;
  const t0 = Date.now();
  const s = started(root, undefined, { 'aaep.span.kind': 'session', ...(options.request !== undefined && { 'aaep.session.request': options.request }) }, t0);
  translator.handle(s);
  const l = started(llm, root, { 'aaep.span.kind': 'llm' }, t0);
  translator.handle(l);
  const text = options.text ?? 'This sentence is part of a long answer. ';
  for (let i = 0; i < chunks; i++) translator.handle(event(llm, 'aaep.output.chunk', { 'aaep.output.text': text }, t0 + 1));
  if (options.end !== false) {
    translator.handle(ended(l, t0 + 2));
    translator.handle(ended(s, t0 + 3));
  }
  return { sessionId: `sess_${s.traceId}${s.spanId}`, translator };
}
