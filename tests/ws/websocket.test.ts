import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../src/hub/EventHub.js';
import { startAaepServer, type AaepServer, type AaepServerOptions } from '../../src/http/startAaepServer.js';
import { listenSse, request } from '../helpers/aaepListener.js';
import { publishSession } from '../helpers/fakeSession.js';
import type { Translator } from '../../src/translate/index.js';
import { sessionDone } from '../helpers/sseClient.js';
import { listenWs, type WsListener } from '../helpers/wsListener.js';

let server: AaepServer | undefined;
const closers: Array<() => void> = [];

async function start(options: Omit<AaepServerOptions, 'hub' | 'port'> = {}): Promise<{ hub: EventHub; url: string }> {
  const hub = new EventHub({ producer: { agent_id: 'test-agent' } });
  server = await startAaepServer({ hub, port: 0, ...options });
  return { hub, url: server.url };
}

async function ws(url: string, options: Parameters<typeof listenWs>[1] = {}): Promise<WsListener> {
  const listener = await listenWs(url, options);
  closers.push(() => listener.close());
  return listener;
}

/** The HTTP status of a refused upgrade. */
function refusal(url: string, protocols: string[], headers: Record<string, string> = {}, query = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/aaep/v1/ws${query}`, protocols, { headers });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('error', () => {});
  });
}

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const close of closers.splice(0)) close();
  await server?.close();
  server = undefined;
});

describe('the WebSocket binding', () => {
  it('negotiates aaep.v1, gives the socket a subscription id, and answers a request in the next frame', async () => {
    const { hub, url } = await start();
    const listener = await ws(url);
    expect(listener.socket.protocol).toBe('aaep.v1');
    expect(listener.subscriptionId).toMatch(/^sub_[a-f0-9]{32}$/);
    const answer = await listener.send(request({ max_events_per_second: 10, languages: ['en-US'] }));
    expect(answer.body).toMatchObject({ type: 'subscription.accepted', subscription_id: listener.subscriptionId, honored_capabilities: { max_events_per_second: 10, languages: ['en-US'] } });
    publishSession(hub, 2);
    await listener.waitFor((l) => sessionDone()(l.events));
    expect(listener.items[0]?.kind).toBe('answer');
  });

  const rejections: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
    [request({}, { aaep_version: '3.1.0' }), 'version_unsupported'],
    [request({ languages: ['yo-NG'] }), 'capabilities_incompatible'],
    [request({ accept_signed_manifests_only: true }), 'manifest_signature_required'],
  ];
  for (const [message, code] of rejections) {
    it(`rejects with ${code} in the next frame and closes with 4001`, async () => {
      const { url } = await start();
      const listener = await ws(url);
      const answer = await listener.send(message);
      expect(answer.body).toMatchObject({ type: 'subscription.rejected', reason_code: code });
      await expect(listener.closeInfo).resolves.toMatchObject({ code: 4001 });
    });
  }

  it('opens under a subscription negotiated ahead, and refuses (404) a subscription_id nobody negotiated', async () => {
    const { hub, url } = await start();
    const negotiated = await fetch(`${url}/aaep/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request({ event_filters: { include: ['aaep:agent.session.*'] } })) });
    const { subscription_id: id } = (await negotiated.json()) as { subscription_id: string };
    const listener = await ws(url, { query: `?subscription_id=${id}` });
    expect(listener.subscriptionId).toBe(id);
    const { sessionId } = publishSession(hub, 3);
    await listener.waitFor((l) => sessionDone(sessionId)(l.events));
    // Its terms apply from the first event: only the session's own events pass the filter.
    expect(listener.events.map((e) => e.type)).toEqual(['aaep:agent.session.started', 'aaep:agent.session.completed']);
    expect(await refusal(url, ['aaep.v1'], {}, `?subscription_id=${id}`)).toBe(404);
    expect(await refusal(url, ['aaep.v1'], {}, '?subscription_id=sub_nosuchthing')).toBe(404);
  });

  it('renegotiates on the socket and closes with 4005 on subscription.close', async () => {
    const { url } = await start();
    const listener = await ws(url);
    await listener.send(request({ max_events_per_second: 4 }));
    const renegotiated = await listener.send({ type: 'subscription.renegotiate', subscription_id: listener.subscriptionId, capabilities: { max_events_per_second: 2 } });
    expect(renegotiated.body).toMatchObject({ type: 'subscription.accepted', honored_capabilities: { max_events_per_second: 2 } });
    await listener.send({ type: 'subscription.close', subscription_id: listener.subscriptionId, reason_code: 'subscriber_shutdown' });
    await expect(listener.closeInfo).resolves.toMatchObject({ code: 4005 });
  });

  it('says why an invalid message was not taken, and closes with 4004 on a binary frame', async () => {
    const { url } = await start();
    const listener = await ws(url);
    listener.socket.send('{"type":"confirmation.reply"}');
    listener.socket.send('not json');
    await listener.waitFor((l) => (l as WsListener).others.length === 2);
    expect(listener.others).toEqual([expect.objectContaining({ error: 'invalid_message' }), expect.objectContaining({ error: 'invalid_message' })]);
    listener.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await expect(listener.closeInfo).resolves.toMatchObject({ code: 4004 });
  });

  it('hears a session event for event as an SSE subscriber does', async () => {
    const { hub, url } = await start();
    const overWs = await ws(url);
    const overSse = await listenSse(url);
    closers.push(() => overSse.close());
    const { sessionId } = publishSession(hub, 12);
    await overWs.waitFor((l) => sessionDone(sessionId)(l.events));
    await overSse.waitFor((l) => sessionDone(sessionId)(l.events));
    expect(overWs.events.length).toBeGreaterThan(12);
    expect(overWs.events).toEqual(overSse.events);
  });

  it('sends a catch-up as events only: the end of a catch-up, an SSE position, is no message on a socket', async () => {
    let open: Translator | undefined;
    const hub = new EventHub({ producer: { agent_id: 'test-agent' }, catchUp: (sessionId, max) => open?.catchUp(sessionId, max) ?? [] });
    server = await startAaepServer({ hub, port: 0 });
    const session = publishSession(hub, 2, { end: false });
    open = session.translator;
    const received: string[] = [];
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/aaep/v1/ws`, ['aaep.v1']);
    closers.push(() => socket.terminate());
    socket.on('message', (data) => received.push(data.toString()));
    await vi.waitFor(() => expect(received.some((text) => text.includes('"aaep:agent.state.changed"'))).toBe(true), { timeout: 5_000 });
    // The catch-up's position frame went through the socket's write before the next live event.
    publishSession(hub, 1);
    await vi.waitFor(() => expect(received.some((text) => text.includes('"aaep:agent.session.completed"'))).toBe(true), { timeout: 5_000 });
    expect(received.filter((text) => text.trim() === '')).toEqual([]);
    expect(received.every((text) => typeof JSON.parse(text) === 'object')).toBe(true);
  });

  it('takes user input on the socket and answers with the new session id', async () => {
    const { url } = await start({ onUserInput: () => 'sess_fromws1' });
    const listener = await ws(url);
    listener.socket.send(JSON.stringify({ kind: 'user_input', text: 'Plan my week' }));
    await listener.waitFor((l) => (l as WsListener).others.length === 1);
    expect(listener.others[0]).toEqual({ kind: 'user_input', status: 202, session_id: 'sess_fromws1' });
  });

  it('cuts off (4004) a client with more than AAEP_WS_QUEUED_MESSAGES messages waiting, and keeps serving others', async () => {
    vi.stubEnv('AAEP_WS_QUEUED_MESSAGES', '8');
    const { url } = await start({ onUserInput: () => new Promise<string>(() => {}) });
    const flooder = await ws(url);
    for (let i = 0; i < 20; i++) flooder.socket.send(JSON.stringify({ kind: 'user_input', text: `message ${i}` }));
    await expect(flooder.closeInfo).resolves.toMatchObject({ code: 4004, reason: 'too many messages waiting' });
    const other = await ws(url);
    const answer = await other.send(request());
    expect(answer.body).toMatchObject({ type: 'subscription.accepted' });
  });

  it('closes every socket with 4000 when the server shuts down', async () => {
    const { url } = await start();
    const listener = await ws(url);
    await server!.close();
    await expect(listener.closeInfo).resolves.toMatchObject({ code: 4000 });
  });

  it('pings idle sockets, and ends one that stops answering', async () => {
    const { url } = await start({ keepAliveMs: 100 });
    const listener = await ws(url);
    await new Promise<void>((resolve) => listener.socket.once('ping', () => resolve()));
    const silent = new WebSocket(`${url.replace(/^http/, 'ws')}/aaep/v1/ws`, ['aaep.v1'], { autoPong: false });
    closers.push(() => silent.terminate());
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    await expect(closed).resolves.toBe(1006);
    expect(listener.socket.readyState).toBe(WebSocket.OPEN);
  });
});

describe('the WebSocket binding\'s authentication', () => {
  it('refuses an upgrade without the token (401), with a wrong one, and without the aaep.v1 subprotocol (400)', async () => {
    const { url } = await start({ token: 'right-token' });
    expect(await refusal(url, ['aaep.v1'])).toBe(401);
    expect(await refusal(url, ['aaep.v1', 'aaep.bearer.wrong-token'])).toBe(401);
    expect(await refusal(url, ['aaep.v1'], { Authorization: 'Bearer wrong-token' })).toBe(401);
    expect(await refusal(url, ['chat'], { Authorization: 'Bearer right-token' })).toBe(400);
  });

  it('takes the token from the subprotocol list without echoing it, from the Authorization header, or from the aaep_token cookie', async () => {
    const { url } = await start({ token: 'right-token' });
    const bySubprotocol = await ws(url, { protocols: ['aaep.v1', 'aaep.bearer.right-token'] });
    expect(bySubprotocol.socket.protocol).toBe('aaep.v1');
    await ws(url, { headers: { Authorization: 'Bearer right-token' } });
    await ws(url, { headers: { Cookie: 'aaep_token=right-token' } });
  });

  it('refuses a cross-site upgrade (403) even with the cookie, and takes the same origin and allowed ones', async () => {
    const { url } = await start({ token: 'right-token', corsOrigins: ['https://reader.example'] });
    expect(await refusal(url, ['aaep.v1'], { Cookie: 'aaep_token=right-token', Origin: 'https://evil.example' })).toBe(403);
    await ws(url, { headers: { Cookie: 'aaep_token=right-token', Origin: url } });
    await ws(url, { headers: { Cookie: 'aaep_token=right-token', Origin: 'https://reader.example' } });
  });
});

describe('the receiver', () => {
  it('serves the WebSocket binding on its own server, with the same hub as its SSE stream', async () => {
    const { startTestReceiver } = await import('../helpers/receiver.js');
    const receiver = await startTestReceiver();
    closers.push(() => void receiver.close());
    const listener = await ws(receiver.url);
    const answer = await listener.send(request({ max_events_per_second: 50 }));
    expect(answer.body).toMatchObject({ type: 'subscription.accepted' });
    const { sessionId } = publishSession(receiver.hub, 3);
    await listener.waitFor((l) => sessionDone(sessionId)(l.events));
    await receiver.close();
    await expect(listener.closeInfo).resolves.toMatchObject({ code: 4000 });
  });
});
