import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/hub/EventHub.js';
import { startAaepServer, type AaepServer } from '../../src/http/startAaepServer.js';
import { publishSession } from '../helpers/fakeSession.js';
import { connectSse, sessionDone, type SseClient } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function serve(hub: EventHub): Promise<AaepServer> {
  const server = await startAaepServer({ hub, port: 0 });
  cleanups.push(() => server.close());
  return server;
}

async function client(url: string, options?: Parameters<typeof connectSse>[1]): Promise<SseClient> {
  const c = await connectSse(url, options);
  cleanups.push(() => c.close());
  return c;
}

describe('GET /aaep/v1/events', () => {
  it('streams events with the SSE headers the spec asks for', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const c = await client(`${server.url}/aaep/v1/events`);
    expect(c.status).toBe(200);
    expect(c.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(c.headers.get('cache-control')).toContain('no-cache');
    expect(c.headers.get('x-accel-buffering')).toBe('no');
    expect(c.headers.get('content-encoding')).toBeNull();
    publishSession(hub, 3);
    await c.waitFor(sessionDone());
    expectLegalStream(c.events);
  });

  it('filters by session_id', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const first = publishSession(hub, 1, { end: false });
    const c = await client(`${server.url}/aaep/v1/events?session_id=${first.sessionId}`);
    publishSession(hub, 2);
    first.translator.cancelAll(Date.now(), 'test_over');
    await c.waitFor(sessionDone(first.sessionId));
    expect(new Set(c.events.map((e) => e.session_id))).toEqual(new Set([first.sessionId]));
  });

  it('rejects a malformed session_id with 400 and a reason', async () => {
    const server = await serve(new EventHub());
    const response = await fetch(`${server.url}/aaep/v1/events?session_id=not-a-session`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('resumes after Last-Event-ID with exactly the missed events', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const watcher = await client(`${server.url}/aaep/v1/events`);
    const first = await client(`${server.url}/aaep/v1/events`);
    publishSession(hub, 4);
    await first.waitFor((events) => events.length >= 3);
    first.close();
    const lastSeen = first.ids[first.ids.length - 1]!;
    publishSession(hub, 2);
    await watcher.waitFor((events) => events.filter((e) => /completed$/.test(e.type)).length === 2);
    const resumed = await client(`${server.url}/aaep/v1/events`, { lastEventId: lastSeen });
    await resumed.waitFor((events) => events.length + first.ids.length >= watcher.events.length);
    expect([...first.ids, ...resumed.ids]).toEqual(watcher.ids);
  });

  it('accepts the resume point as a last_event_id query parameter', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const watcher = await client(`${server.url}/aaep/v1/events`);
    publishSession(hub, 1);
    await watcher.waitFor(sessionDone());
    const resumed = await client(`${server.url}/aaep/v1/events?last_event_id=${watcher.ids[1]}`);
    await resumed.waitFor((events) => events.length === watcher.ids.length - 2);
    expect(resumed.ids).toEqual(watcher.ids.slice(2));
  });

  it('re-sends where open sessions stand when the resume point has aged out, then the live events', async () => {
    let open: ReturnType<typeof publishSession> | undefined;
    const hub = new EventHub({ retentionEvents: 5, catchUp: (sessionId, max) => open?.translator.catchUp(sessionId, max) ?? [] });
    const server = await serve(hub);
    const watcher = await client(`${server.url}/aaep/v1/events`);
    open = publishSession(hub, 20, { end: false });
    await watcher.waitFor((events) => events.length >= 10);
    const resumed = await client(`${server.url}/aaep/v1/events`, { lastEventId: watcher.ids[0] });
    await resumed.waitFor(() => resumed.position !== undefined);
    expect(resumed.events.map((e) => e.event_id)).toEqual([watcher.events[0]!.event_id, [...watcher.events].reverse().find((e) => e.type === 'aaep:agent.state.changed')!.event_id]);
    expect(resumed.events[1]).toMatchObject({ type: 'aaep:agent.state.changed', session_id: open.sessionId, to_state: 'writing_output' });
    open.translator.cancelAll(Date.now(), 'test_over');
    await resumed.waitFor(sessionDone(open.sessionId));
    expect(resumed.events.at(-1)).toMatchObject({ type: 'aaep:agent.session.cancelled' });
    expectLegalStream(resumed.events, { catchUp: resumed.catchUp });
  });

  it('keeps delivering to a reader while another subscriber never reads, and disconnects the stalled one', async () => {
    const hub = new EventHub({ subscriberQueueEvents: 200, subscriberQueueBytes: 256 * 1024 });
    const server = await serve(hub);
    const stalled = net.connect(server.port, '127.0.0.1');
    cleanups.push(() => stalled.destroy());
    stalled.write(`GET /aaep/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.on('data', () => {});
    stalled.pause();
    const reader = await client(`${server.url}/aaep/v1/events`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hub.subscriberCount).toBe(2);

    // About 25 MB of events: far more than the loopback socket buffers of the stalled client hold.
    const big = 'A long sentence that a slow client will never read, repeated to fill buffers quickly. '.repeat(20);
    let sessions = 0;
    for (let round = 0; round < 200; round++) {
      publishSession(hub, 60, { text: big });
      sessions++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await reader.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.session.completed').length === sessions);
    expectLegalStream(reader.events);
    expect(hub.subscriberCount).toBe(1);
    // The server hung up on the stalled client; it sees that once it reads what was buffered.
    stalled.resume();
    await stalledClosed;
  });

  it('ends open streams when the server closes', async () => {
    const hub = new EventHub();
    const server = await startAaepServer({ hub, port: 0 });
    const c = await connectSse(`${server.url}/aaep/v1/events`);
    await server.close();
    await c.ended;
    expect(hub.subscriberCount).toBe(0);
  });
});

describe('GET /.well-known/aaep-manifest.json', () => {
  it('describes the producer and its SSE and WebSocket endpoints', async () => {
    const hub = new EventHub({ producer: { agent_id: 'travel-agent', agent_name: 'Travel agent' } });
    const server = await serve(hub);
    const manifest = (await (await fetch(`${server.url}/.well-known/aaep-manifest.json`)).json()) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      type: 'aaep:producer.manifest',
      agent_id: 'travel-agent',
      agent_name: 'Travel agent',
      transports_supported: ['sse', 'websocket'],
      conformance_levels_supported: [1, 2, 3],
      languages_supported: ['en', 'es', 'fr', 'de'],
      endpoints: { events: '/aaep/v1/events', subscriptions: '/aaep/v1/subscriptions', websocket: '/aaep/v1/ws' },
    });
  });
});
