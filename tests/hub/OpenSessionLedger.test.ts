import { describe, expect, it } from 'vitest';
import { OpenSessionLedger } from '../../src/hub/OpenSessionLedger.js';
import type { AaepEvent } from '../../src/protocol/index.js';
import { Translator } from '../../src/translate/index.js';
import { publishSession } from '../helpers/fakeSession.js';
import { started, TRACE } from '../helpers/records.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { CATALOGS } from '../../src/translate/messages/catalog.js';
import { phrasesOf } from '../../src/translate/messages/EventPhrases.js';
import { renderText } from '../../src/translate/messages/Phrase.js';

function openSession(language?: string): AaepEvent[] {
  const events: AaepEvent[] = [];
  const translator = new Translator({ producer: { agent_id: 'ledger-test' }, emit: (event) => events.push(event), ...(language !== undefined && { language }) });
  const t0 = Date.now();
  const session = started(901, undefined, { 'aaep.span.kind': 'session' }, t0);
  translator.handle(session);
  translator.handle(started(902, 901, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'fetch_report' }, t0 + 1));
  const llm = started(903, 901, { 'aaep.span.kind': 'llm' }, t0 + 2);
  translator.handle(llm);
  translator.handle({ kind: 'event', traceId: TRACE, spanId: llm.spanId, name: 'aaep.output.chunk', time: t0 + 3, attributes: { 'aaep.output.text': 'Half an answer. And' } });
  return events;
}

describe('OpenSessionLedger', () => {
  it('ends a session it followed legally: outputs completed, tools abandoned, one errored event', () => {
    const events = openSession();
    const ledger = new OpenSessionLedger();
    for (const event of events) ledger.observe(event);
    const closing = ledger.closing(events[0]!.session_id);
    expect(closing.map((e) => e.type)).toEqual(['aaep:agent.output.streaming', 'aaep:agent.tool.completed', 'aaep:agent.session.errored']);
    expectLegalStream([...events, ...closing]);
  });

  it('says its closing phrases in the session\'s language, and keeps them to be said in others', () => {
    const events = openSession('de-DE');
    const ledger = new OpenSessionLedger();
    for (const event of events) ledger.observe(event);
    const closing = ledger.closing(events[0]!.session_id);
    const errored = closing.at(-1)!;
    expect(errored).toMatchObject({ summary_terse: 'Dienst neu gestartet.', localization_hints: { primary_language: 'de-DE' } });
    expect(renderText(phrasesOf(errored)!.summary_normal!, CATALOGS.fr)).toBe(
      'Cette session ne peut plus être suivie\u202f: le service qui la traduisait a redémarré. L\'agent travaille peut-être encore.',
    );
    expect(closing.find((e) => e.type === 'aaep:agent.tool.completed')).toMatchObject({ error_message: 'Abgebrochen, als der Dienst anhielt, der diese Sitzung übersetzte.' });
    expectLegalStream([...events, ...closing]);
  });

  it('builds the same closing ids on every instance, and nothing for a session that ended', () => {
    const events = openSession();
    const [a, b] = [new OpenSessionLedger(), new OpenSessionLedger()];
    for (const event of events) {
      a.observe(event);
      b.observe(event);
    }
    const sessionId = events[0]!.session_id;
    expect(a.closing(sessionId, 1).map((e) => e.event_id)).toEqual(b.closing(sessionId, 2).map((e) => e.event_id));
    const finished: AaepEvent[] = [];
    const { sessionId: done } = publishSession({ publish: (event) => finished.push(event) }, 2);
    for (const event of finished) a.observe(event);
    expect(a.closing(done)).toEqual([]);
  });

  it('forgets the oldest open session beyond its capacity', () => {
    const ledger = new OpenSessionLedger(2);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const events: AaepEvent[] = [];
      ids.push(publishSession({ publish: (event) => events.push(event) }, 1, { end: false }).sessionId);
      for (const event of events) ledger.observe(event);
    }
    expect(ledger.closing(ids[0]!)).toEqual([]);
    expect(ledger.closing(ids[1]!).at(-1)?.type).toBe('aaep:agent.session.errored');
    expect(ledger.closing(ids[2]!).at(-1)?.type).toBe('aaep:agent.session.errored');
  });
});
