import { describe, expect, it } from 'vitest';
import type { AaepEvent } from '../../src/protocol/index.js';
import { Translator } from '../../src/translate/index.js';
import { TRACE, ended, event, spanId, started } from '../helpers/records.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

function translator(violations: string[] = []) {
  const events: AaepEvent[] = [];
  const t = new Translator({
    producer: { agent_id: 'travel-agent', agent_name: 'Travel agent' },
    emit: (e) => events.push(e),
    onViolation: (m) => violations.push(m),
  });
  return { t, events, types: () => events.map((e) => e.type.replace('aaep:agent.', '')) };
}

const session = (id = 1) => started(id, undefined, { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': 'Find flights to Oslo' }, T0, 'invoke_agent travel');

describe('Translator', () => {
  it('turns a session with an llm call and two tools into a legal, schema-valid stream', () => {
    const { t, events, types } = translator();
    const s = session();
    t.handle(s);
    const llm = started(2, 1, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-1' }, T0 + 10);
    t.handle(llm);
    t.handle(ended(llm, T0 + 20));
    const search = started(3, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search_flights', 'gen_ai.tool.call.arguments': '{"destination":"Oslo","api_key":"sk-live-1234567890abcdef1234"}' }, T0 + 30);
    t.handle(search);
    t.handle(ended(search, T0 + 80, { attributes: { 'gen_ai.tool.call.result': '{"flights":3,"cheapest":"NOK 1200"}' } }));
    const book = started(4, 1, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'book_flight' }, T0 + 90);
    t.handle(book);
    t.handle(ended(book, T0 + 95, { error: 'payment service unavailable' }));
    const answer = started(5, 1, { 'gen_ai.operation.name': 'chat' }, T0 + 100);
    t.handle(answer);
    t.handle(ended(answer, T0 + 120, { attributes: { 'aaep.llm.output': 'I found 3 flights. Booking failed, please try again later.' } }));
    t.handle(ended(s, T0 + 130));

    expectLegalStream(events);
    expect(types()).toEqual([
      'session.started',
      'state.changed',
      'state.changed',
      'tool.invoked',
      'tool.completed',
      'tool.invoked',
      'tool.completed',
      'state.changed',
      'state.changed',
      'output.streaming',
      'output.streaming',
      'session.completed',
    ]);
    const invoked = events.find((e) => e.type === 'aaep:agent.tool.invoked');
    expect(invoked).toMatchObject({ tool: 'search_flights', tool_call_id: `call_${spanId(3)}` });
    expect(JSON.stringify(events)).not.toContain('sk-live-1234567890abcdef1234');
    expect(invoked?.type === 'aaep:agent.tool.invoked' && invoked.args_summary).toBe('destination: Oslo, a credential (hidden)');
    const failed = events.filter((e) => e.type === 'aaep:agent.tool.completed')[1];
    expect(failed).toMatchObject({ status: 'error', error_message: 'payment service unavailable', duration_ms: 5 });
    expect(events[0]).toMatchObject({
      session_id: `sess_${TRACE}${spanId(1)}`,
      sequence_number: 0,
      request_text: 'Find flights to Oslo',
      correlation_id: `00-${TRACE}-${spanId(1)}-01`,
    });
  });

  it('writes summaries a person can listen to, without undefined or raw JSON', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    const tool = started(2, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'getWeather', 'gen_ai.tool.call.arguments': '{"city":"Bergen","units":"metric"}' }, T0 + 1);
    t.handle(tool);
    t.handle(ended(tool, T0 + 2, { attributes: { 'gen_ai.tool.call.result': '{"temperature":7,"sky":"rain"}' } }));
    t.handle(ended(s, T0 + 3));
    for (const e of events) {
      const text = JSON.stringify(Object.entries(e).filter(([k]) => k.startsWith('summary_') || k === 'args_summary'));
      expect(text).not.toMatch(/undefined|null|\{"|\[object/);
    }
    expect(events.find((e) => e.type === 'aaep:agent.tool.invoked')).toMatchObject({
      summary_normal: 'Using get weather, city: Bergen, units: metric.',
    });
    expect(events.find((e) => e.type === 'aaep:agent.tool.completed')).toMatchObject({
      summary_normal: 'Get weather finished: temperature: 7, sky: rain.',
    });
  });

  it('coalesces streamed output at sentence boundaries with exactly one complete chunk', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    const llm = started(2, 1, { 'gen_ai.operation.name': 'chat' }, T0 + 1);
    t.handle(llm);
    const tokens = ['Oslo ', 'is ', 'cold. ', 'Pack ', 'a coat', '! Flights ', 'are ', 'cheap', ' in May.'];
    tokens.forEach((text, i) => t.handle(event(2, 'aaep.output.chunk', { 'aaep.output.text': text }, T0 + 2 + i)));
    t.handle(ended(llm, T0 + 20));
    t.handle(ended(s, T0 + 21));
    expectLegalStream(events);
    const chunks = events.filter((e) => e.type === 'aaep:agent.output.streaming');
    expect(chunks.map((c) => c.type === 'aaep:agent.output.streaming' && [c.chunk, c.complete])).toEqual([
      ['Oslo is cold. ', false],
      ['Pack a coat! ', false],
      ['Flights are cheap in May.', true],
    ]);
  });

  it('does not repeat streamed text when the span also records the final output', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    const llm = started(2, 1, { 'aaep.span.kind': 'llm' }, T0 + 1);
    t.handle(llm);
    t.handle(event(2, 'aaep.output.chunk', { 'aaep.output.text': 'Hello there. ' }, T0 + 2));
    t.handle(ended(llm, T0 + 3, { attributes: { 'aaep.llm.output': 'Hello there. How can I help?' } }));
    t.handle(ended(s, T0 + 4));
    const text = events.flatMap((e) => (e.type === 'aaep:agent.output.streaming' ? [e.chunk] : [])).join('');
    expect(text).toBe('Hello there. How can I help?');
  });

  it('ends an errored session with a critical session.errored that has a category', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    t.handle(ended(s, T0 + 5, { error: 'upstream model rate limit exceeded', attributes: { 'error.type': 'RateLimitError' } }));
    expectLegalStream(events);
    expect(events.at(-1)).toMatchObject({
      type: 'aaep:agent.session.errored',
      urgency: 'critical',
      error_category: 'transient',
      error_code: 'RATELIMITERROR',
      recoverable: true,
    });
  });

  it('ends a session marked cancelled with session.cancelled', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    t.handle(ended(s, T0 + 5, { attributes: { 'aaep.session.cancelled_by': 'user', 'aaep.session.cancel_reason': 'user pressed escape' } }));
    expect(events.at(-1)).toMatchObject({ type: 'aaep:agent.session.cancelled', cancelled_by: 'user', cancellation_reason: 'user_pressed_escape' });
  });

  it('closes tools and outputs still open when the session ends, and ignores spans that end later', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    const tool = started(2, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'slow_search' }, T0 + 1);
    t.handle(tool);
    const writer = started(3, 1, { 'aaep.span.kind': 'llm' }, T0 + 2);
    t.handle(writer);
    t.handle(event(3, 'aaep.output.chunk', { 'aaep.output.text': 'Partial answer' }, T0 + 3));
    t.handle(ended(s, T0 + 4));
    const count = events.length;
    t.handle(ended(tool, T0 + 10));
    t.handle(ended(writer, T0 + 11));
    t.handle(started(9, 2, { 'aaep.span.kind': 'tool' }, T0 + 12));
    expect(events.length).toBe(count);
    expectLegalStream(events);
    expect(events.find((e) => e.type === 'aaep:agent.tool.completed')).toMatchObject({ status: 'timeout' });
    expect(t.openSessionCount).toBe(0);
    expect(t.trackedSpanCount).toBe(1);
  });

  it('frees all per-session state once the session and its spans have ended', () => {
    const { t } = translator();
    for (let n = 0; n < 50; n++) {
      const base = n * 10 + 1;
      const s = session(base);
      t.handle(s);
      const tool = started(base + 1, base, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'lookup' }, T0 + 1);
      t.handle(tool);
      t.handle(ended(tool, T0 + 2));
      t.handle(ended(s, T0 + 3));
    }
    expect(t.openSessionCount).toBe(0);
    expect(t.trackedSpanCount).toBe(0);
  });

  it('emits nothing for spans nobody recognises', () => {
    const { t, events } = translator();
    const http = started(1, undefined, { 'http.request.method': 'GET' }, T0, 'GET /');
    t.handle(http);
    t.handle(started(2, 1, { 'db.system': 'postgresql' }, T0 + 1, 'SELECT'));
    t.handle(ended(http, T0 + 2));
    expect(events).toEqual([]);
  });

  it('gives a lone llm span a session of its own', () => {
    const { t, events, types } = translator();
    const llm = started(1, undefined, { 'gen_ai.operation.name': 'chat' }, T0);
    t.handle(llm);
    t.handle(ended(llm, T0 + 5, { attributes: { 'aaep.llm.output': 'Hi.' } }));
    expectLegalStream(events);
    expect(types()).toEqual(['session.started', 'state.changed', 'state.changed', 'output.streaming', 'session.completed']);
  });

  it('announces tools used inside an unrecognised child span of the session', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    t.handle(started(2, 1, { custom: 'planner' }, T0 + 1, 'plan step'));
    const tool = started(3, 2, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'calendar' }, T0 + 2);
    t.handle(tool);
    t.handle(ended(tool, T0 + 3));
    t.handle(ended(s, T0 + 4));
    expect(events.map((e) => e.type)).toContain('aaep:agent.tool.invoked');
  });

  it('holds back an irreversible tool until its confirmation is accepted', () => {
    const violations: string[] = [];
    const { t, events } = translator(violations);
    const s = session();
    t.handle(s);
    const transfer = started(2, 1, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'transfer_money', 'aaep.tool.irreversible': true, 'aaep.tool.risk_level': 'high' }, T0 + 1);
    t.handle(transfer);
    expect(events.map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');
    t.handle(event(2, 'aaep.confirmation.requested', { 'aaep.confirmation.reply_token': 'rpl_abc123', 'aaep.confirmation.action': 'Transfer 500 NOK to savings', 'aaep.confirmation.default_decision': 'accept', 'aaep.confirmation.timeout_seconds': 300 }, T0 + 2));
    t.handle(event(2, 'aaep.confirmation.resolved', { 'aaep.confirmation.decision': 'accept', 'aaep.confirmation.by': 'user' }, T0 + 2));
    t.handle(ended(transfer, T0 + 3));
    const rogue = started(3, 1, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'delete_record', 'aaep.tool.irreversible': true }, T0 + 4);
    t.handle(rogue);
    t.handle(ended(rogue, T0 + 5));
    t.handle(ended(s, T0 + 6));
    const invoked = events.filter((e) => e.type === 'aaep:agent.tool.invoked');
    expect(invoked.map((e) => e.type === 'aaep:agent.tool.invoked' && e.tool)).toEqual(['transfer_money']);
    expect(invoked[0]).toMatchObject({ irreversible: true, risk_level: 'high' });
    expect(events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')).toMatchObject({
      urgency: 'critical',
      reply_token: 'rpl_abc123',
      default_decision: 'reject',
      timeout_seconds: 300,
      irreversible: true,
    });
    const resolution = events[events.findIndex((e) => e.type === 'aaep:agent.tool.invoked') - 1];
    expect(resolution).toMatchObject({ type: 'aaep:agent.state.changed', from_state: 'awaiting_input', to_state: 'calling_tool' });
    expect(resolution?.type === 'aaep:agent.state.changed' && resolution.summary_normal).toBe('You accepted: Transfer 500 NOK to savings.');
    expectLegalStream(events);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain('delete_record');
  });

  it('announces a rejected confirmation and never announces the tool', () => {
    const violations: string[] = [];
    const { t, events } = translator(violations);
    const s = session();
    t.handle(s);
    const transfer = started(2, 1, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'transfer_money', 'aaep.tool.irreversible': true }, T0 + 1);
    t.handle(transfer);
    t.handle(event(2, 'aaep.confirmation.requested', { 'aaep.confirmation.reply_token': 'rpl_r1', 'aaep.confirmation.action': 'Transfer money' }, T0 + 2));
    t.handle(event(2, 'aaep.confirmation.resolved', { 'aaep.confirmation.decision': 'reject', 'aaep.confirmation.by': 'timeout' }, T0 + 3));
    t.handle(ended(transfer, T0 + 4));
    t.handle(ended(s, T0 + 5));
    expectLegalStream(events);
    expect(events.map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');
    expect(events.at(-2)).toMatchObject({ type: 'aaep:agent.state.changed', from_state: 'awaiting_input', to_state: 'thinking', summary_normal: 'No answer in time, so not doing it: Transfer money.' });
    expect(violations).toEqual([]);
  });

  it('derives the same event ids from the same spans', () => {
    const run = () => {
      const { t, events } = translator();
      const s = session();
      t.handle(s);
      const tool = started(2, 1, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'lookup' }, T0 + 1);
      t.handle(tool);
      t.handle(ended(tool, T0 + 2));
      t.handle(ended(s, T0 + 3));
      return events.map((e) => e.event_id);
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
  });

  it('reports progress events added to a span', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    t.handle(event(1, 'aaep.progress', { 'aaep.progress.percent': 40, 'aaep.progress.description': 'Comparing prices' }, T0 + 1));
    t.handle(ended(s, T0 + 2));
    expectLegalStream(events);
    expect(events[1]).toMatchObject({
      type: 'aaep:agent.progress.updated',
      progress: { percent: 40, description: 'Comparing prices' },
      summary_normal: 'Comparing prices, 40 percent.',
    });
  });

  it('tells a late subscriber where each open session stands: questions first, soonest deadline first, then the newest', () => {
    const { t, events } = translator();
    const asking = session(1);
    t.handle(asking);
    const tool = started(2, 1, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'delete_files', 'aaep.tool.irreversible': true }, T0 + 1);
    t.handle(tool);
    t.handle(event(2, 'aaep.confirmation.requested', { 'aaep.confirmation.reply_token': 'rpl_abc123', 'aaep.confirmation.action': 'Delete 3 files', 'aaep.confirmation.timeout_seconds': 300, 'aaep.confirmation.risk_level': 'high' }, T0 + 2));
    const idle = session(10);
    t.handle(idle);
    const busy = session(20);
    t.handle(busy);
    t.handle(started(21, 20, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'search_web' }, T0 + 3));
    const done = session(30);
    t.handle(done);
    t.handle(ended(done, T0 + 4));

    const now = T0 + 100_000;
    const catchUp = t.catchUp(undefined, 10, now);
    const idOf = (record: { traceId: string; spanId: string }) => `sess_${record.traceId}${record.spanId}`;
    expect(catchUp.map((c) => c.sessionId)).toEqual([idOf(asking), idOf(busy), idOf(idle)]);
    const [first, second, third] = catchUp.map((c) => c.events.map((e) => e.type.replace('aaep:agent.', '')));
    expect(first).toEqual(['session.started', 'state.changed', 'awaiting.confirmation']);
    expect(second).toEqual(['session.started', 'state.changed', 'tool.invoked']);
    expect(third).toEqual(['session.started']);
    const original = events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;
    const resent = catchUp[0]!.events[2]!;
    expect(resent).toMatchObject({ event_id: original.event_id, sequence_number: original.sequence_number, reply_token: 'rpl_abc123', timeout_seconds: 200, timestamp: new Date(now).toISOString() });
    expect(resent.type === 'aaep:agent.awaiting.confirmation' && resent.summary_detailed).toContain('Without an answer in 3 minutes and 20 seconds');
    for (const c of catchUp) for (const e of c.events.filter((e) => e.type !== 'aaep:agent.awaiting.confirmation')) expect(events).toContain(e);
    expect(t.catchUp(undefined, 2, now).map((c) => c.sessionId)).toEqual([idOf(asking), idOf(busy)]);
    expect(t.catchUp(idOf(busy), 10, now).map((c) => c.sessionId)).toEqual([idOf(busy)]);
    // Events after the re-sent question are never stamped before it.
    t.handle(ended(started(22, 20, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'late' }, T0 + 5), T0 + 6));
    t.handle(event(2, 'aaep.confirmation.resolved', { 'aaep.confirmation.decision': 'reject', 'aaep.confirmation.by': 'user' }, T0 + 7));
    expect(events.at(-1)!.timestamp >= new Date(now).toISOString()).toBe(true);
  });

  it('stops re-sending a question once it is answered, its span ended unanswered, or its time ran out', () => {
    const { t } = translator();
    const ask = (id: number, token: string, timeout: number) => {
      const root = session(id);
      t.handle(root);
      const tool = started(id + 1, id, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'pay' }, T0 + 1);
      t.handle(tool);
      t.handle(event(id + 1, 'aaep.clarification.requested', { 'aaep.clarification.reply_token': token, 'aaep.clarification.question': 'Which card?', 'aaep.clarification.timeout_seconds': timeout }, T0 + 2));
      return tool;
    };
    const questions = () => t.catchUp(undefined, 10, T0 + 30_000).flatMap((c) => c.events).filter((e) => e.type === 'aaep:agent.awaiting.clarification');
    ask(1, 'rpl_answered', 600);
    const unanswered = ask(10, 'rpl_spanended', 600);
    ask(20, 'rpl_expired', 20);
    expect(questions().map((e) => e.type === 'aaep:agent.awaiting.clarification' && e.reply_token)).toEqual(['rpl_answered', 'rpl_spanended']);
    t.handle(event(2, 'aaep.clarification.resolved', { 'aaep.clarification.by': 'user', 'aaep.clarification.response': 'Visa' }, T0 + 3));
    t.handle(ended(unanswered, T0 + 4));
    expect(questions()).toEqual([]);
  });
});

describe('Translator and private keys in streamed output', () => {
  it('holds a key block until its END line, and hides one too long to hold', () => {
    const { t, events } = translator();
    const s = session();
    t.handle(s);
    const llm = started(2, 1, { 'aaep.span.kind': 'llm' }, T0 + 1);
    t.handle(llm);
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
    const text = `Key follows.\n-----BEGIN PRIVATE KEY-----\n${body}\n${body}\n-----END PRIVATE KEY-----\nThat was it.\n-----BEGIN RSA PRIVATE KEY-----\n${`${body}\n`.repeat(3000)}-----END RSA PRIVATE KEY-----\nBye.`;
    for (let i = 0; i < text.length; i += 7) t.handle(event(2, 'aaep.output.chunk', { 'aaep.output.text': text.slice(i, i + 7) }, T0 + 2));
    t.handle(ended(llm, T0 + 3));
    t.handle(ended(s, T0 + 4));
    expectLegalStream(events);
    const spoken = events.flatMap((e) => (e.type === 'aaep:agent.output.streaming' ? [e.chunk] : [])).join('');
    expect(spoken).not.toContain('MIIEvQ');
    expect(spoken).toContain('Key follows.');
    expect(spoken).toContain('That was it.');
    expect(spoken).toContain('Bye.');
  });
});
