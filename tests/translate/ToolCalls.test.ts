/**
 * `aaep.tool.call_announced`: a model call announces a tool call before its tool span
 * exists; the tool span with the same gen_ai.tool.call.id completes it, once.
 */
import { describe, expect, it } from 'vitest';
import type { AaepEvent } from '../../src/protocol/index.js';
import { Translator } from '../../src/translate/index.js';
import { ended, event, started } from '../helpers/records.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

function translator() {
  const events: AaepEvent[] = [];
  const violations: string[] = [];
  const t = new Translator({ producer: { agent_id: 'test' }, emit: (e) => events.push(e), onViolation: (m) => violations.push(m) });
  return { t, events, violations };
}

const session = started(1, undefined, { 'gen_ai.operation.name': 'invoke_agent' }, T0, 'invoke_agent travel');
const chat = started(2, 1, { 'gen_ai.operation.name': 'chat' }, T0 + 10, 'chat model');
const announce = (time: number, id = 'call_w1') =>
  event(2, 'aaep.tool.call_announced', { 'gen_ai.tool.call.id': id, 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}' }, time);
const toolSpan = (id = 'call_w1', extra: Record<string, boolean> = {}) =>
  started(3, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.id': id, ...extra }, T0 + 40, 'execute_tool get_weather');
const of = (events: AaepEvent[], type: string) => events.filter((e) => e.type === `aaep:agent.${type}`) as Array<Record<string, unknown>>;

describe('a tool call announced by its model call', () => {
  it('is invoked at the announcement with its arguments and completed by the tool span with the same call id, never twice', () => {
    const { t, events, violations } = translator();
    t.handle(session);
    t.handle(chat);
    t.handle(announce(T0 + 20));
    expect(of(events, 'tool.invoked')).toMatchObject([{ tool: 'get_weather', args_summary: 'city: Oslo', correlation_id: expect.stringContaining(chat.spanId) }]);
    t.handle(ended(chat, T0 + 30));
    const tool = toolSpan();
    t.handle(tool);
    t.handle(announce(T0 + 41));
    t.handle(ended(tool, T0 + 50, { attributes: { 'gen_ai.tool.call.result': '{"sky":"snow"}' } }));
    t.handle(ended(session, T0 + 60));
    expectLegalStream(events);
    const [invoked] = of(events, 'tool.invoked');
    expect(of(events, 'tool.invoked')).toHaveLength(1);
    expect(of(events, 'tool.completed')).toMatchObject([{ tool: 'get_weather', status: 'success', tool_call_id: invoked!.tool_call_id }]);
    expect(of(events, 'session.completed')[0]).toMatchObject({ tool_invocations_count: 1 });
    expect(violations).toEqual([]);
  });

  it('a tool span that started first keeps its own announcement; the late one is ignored', () => {
    const { t, events } = translator();
    t.handle(session);
    t.handle(chat);
    const tool = toolSpan();
    t.handle(tool);
    t.handle(announce(T0 + 45));
    t.handle(ended(tool, T0 + 50));
    t.handle(ended(chat, T0 + 55));
    t.handle(ended(session, T0 + 60));
    expectLegalStream(events);
    expect(of(events, 'tool.invoked')).toMatchObject([{ correlation_id: expect.stringContaining(tool.spanId) }]);
  });

  it('a call no tool span ever ran is completed, not run, when the session ends', () => {
    const { t, events } = translator();
    t.handle(session);
    t.handle(chat);
    t.handle(announce(T0 + 20));
    t.handle(ended(chat, T0 + 30));
    t.handle(ended(session, T0 + 60));
    expectLegalStream(events);
    expect(of(events, 'tool.completed')).toMatchObject([{ tool: 'get_weather', status: 'timeout', error_message: 'Not run before the session ended.' }]);
  });

  it('an announcement without a call id or name is a violation and says nothing', () => {
    const { t, events, violations } = translator();
    t.handle(session);
    t.handle(chat);
    t.handle(event(2, 'aaep.tool.call_announced', { 'gen_ai.tool.name': 'get_weather' }, T0 + 20));
    expect(of(events, 'tool.invoked')).toHaveLength(0);
    expect(violations).toHaveLength(1);
  });

  it('an irreversible tool span whose call was announced early is reported', () => {
    const { t, violations } = translator();
    t.handle(session);
    t.handle(chat);
    t.handle(announce(T0 + 20));
    t.handle(toolSpan('call_w1', { 'aaep.tool.irreversible': true }));
    expect(violations.join(' ')).toMatch(/announced before it ran/);
  });

  it('at most 64 calls wait per session; beyond that the tool spans announce themselves', () => {
    const { t, events } = translator();
    t.handle(session);
    t.handle(chat);
    for (let i = 0; i < 70; i++) t.handle(announce(T0 + 20, `call_${i}`));
    expect(of(events, 'tool.invoked')).toHaveLength(64);
    t.handle(ended(chat, T0 + 30));
    t.handle(ended(session, T0 + 60));
    expectLegalStream(events);
  });
});
