/**
 * AaepWorkerSpanProcessor with a shared hub (`hubUrl`, a real Redis): its worker appends the
 * events to the shared stream, so a listener on a receiver that shares the Redis hears the
 * agent's session as a listener on the worker's own server does.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepWorkerSpanProcessor } from '../../src/index.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const redis = useRedisServer();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('AaepWorkerSpanProcessor on a shared Redis hub', () => {
  it('appends its events to the shared stream: a receiver sharing the Redis serves the same session', async () => {
    const receiver = await startTestReceiver({ hubUrl: redis.url });
    cleanups.push(() => receiver.close());
    await receiver.backend.ready();
    const aaep = new AaepWorkerSpanProcessor({ agentId: 'shared-agent', hubUrl: redis.url, server: { port: 0 } });
    cleanups.push(() => aaep.shutdown());
    const server = await aaep.server;
    const own = await connectSse(`${server.url}/aaep/v1/events`);
    const elsewhere = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => own.close(), () => elsewhere.close());

    const tracer = new BasicTracerProvider({ spanProcessors: [aaep] }).getTracer('shared');
    const session = tracer.startSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Check the weather' } });
    const tool = tracer.startSpan('tool', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'get_weather' } }, trace.setSpan(context.active(), session));
    tool.end();
    session.end();

    await own.waitFor(sessionDone(), 15_000);
    await elsewhere.waitFor(sessionDone(), 15_000);
    expectLegalStream(elsewhere.events);
    expect(elsewhere.events.map((e) => e.event_id)).toEqual(own.events.map((e) => e.event_id));
    expect(elsewhere.events.map((e) => e.type)).toContain('aaep:agent.tool.invoked');
    expect(elsewhere.events[0]).toMatchObject({ type: 'aaep:agent.session.started', producer: { agent_id: 'shared-agent' } });
  });
});
