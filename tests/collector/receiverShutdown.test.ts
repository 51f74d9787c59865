import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startRemoteAgent } from '../helpers/remoteAgent.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const TERMINAL = /^aaep:agent\.session\.(completed|errored|cancelled)$/;

describe('the receiver shutting down', () => {
  it('ends every open session with exactly one session.cancelled by system, heard before the stream closes', async () => {
    const { receiver, client, provider } = await startRemoteAgent(cleanups);
    const tracer = provider.getTracer('agent');
    // Two sessions still running (one of them inside a tool) and one that already ended.
    const open = [0, 1].map((n) => tracer.startSpan(`invoke_agent open ${n}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }));
    tracer.startSpan('execute_tool get_weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' } }, trace.setSpan(ROOT_CONTEXT, open[1]!));
    const finished = tracer.startSpan('invoke_agent finished', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    finished.end();
    await provider.forceFlush();
    await client.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.session.started').length === 3 && events.some((e) => e.type === 'aaep:agent.tool.invoked') && events.some((e) => TERMINAL.test(e.type)));

    await receiver.close();
    await client.ended;

    const sessions = new Set(client.events.map((e) => e.session_id));
    expect(sessions.size).toBe(3);
    for (const sessionId of sessions) {
      expect(client.events.filter((e) => e.session_id === sessionId && TERMINAL.test(e.type))).toHaveLength(1);
    }
    const cancelled = client.events.filter((e) => e.type === 'aaep:agent.session.cancelled');
    expect(cancelled).toHaveLength(2);
    for (const event of cancelled) expect(event).toMatchObject({ cancelled_by: 'system', cancellation_reason: 'producer_shutdown' });
    expect(client.events.find((e) => TERMINAL.test(e.type) && !cancelled.includes(e))?.type).toBe('aaep:agent.session.completed');
    expectLegalStream(client.events, { requireTerminal: true });
  });
});

