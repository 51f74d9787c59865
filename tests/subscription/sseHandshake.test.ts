import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../src/hub/EventHub.js';
import { sseFrame } from '../../src/http/sseFrame.js';
import { startAaepServer, type AaepServer } from '../../src/http/startAaepServer.js';
import { listenSse, request, type Listener } from '../helpers/aaepListener.js';
import { publishSession } from '../helpers/fakeSession.js';
import { collectEvents } from '../helpers/hubEvents.js';
import type { Translator } from '../../src/translate/index.js';
import { sessionDone } from '../helpers/sseClient.js';

let server: AaepServer | undefined;
const listeners: Listener[] = [];

async function start(): Promise<{ hub: EventHub; url: string }> {
  const hub = new EventHub({ producer: { agent_id: 'test-agent' } });
  server = await startAaepServer({ hub, port: 0 });
  return { hub, url: server.url };
}

async function open(url: string, query?: string) {
  const listener = await listenSse(url, query === undefined ? {} : { query });
  listeners.push(listener);
  return listener;
}

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const listener of listeners.splice(0)) listener.close();
  await server?.close();
  server = undefined;
});

describe('the subscription handshake over SSE', () => {
  it('gives every stream a subscription id when it opens, and a stream that never asks gets today\'s bytes exactly', async () => {
    const { hub, url } = await start();
    const published = collectEvents(hub);
    const listener = await open(url);
    expect(listener.subscriptionId).toMatch(/^sub_[a-f0-9]{32}$/);
    const { sessionId } = publishSession(hub, 5);
    await listener.waitFor((l) => sessionDone(sessionId)(l.events));
    const expected = `retry: 2000\n\n${published.map((e) => sseFrame({ event: 'aaep.event', id: e.event_id, data: JSON.stringify(e) })).join('')}`;
    expect(listener.raw.join('')).toBe(expected);
  });

  it('accepts a request POSTed to /aaep/v1/messages for the only open stream; the answer is the response and the stream\'s next item', async () => {
    const { hub, url } = await start();
    const listener = await open(url);
    const capabilities = { max_events_per_second: 3, preferred_verbosity: 'terse', languages: ['yo-NG', 'en-GB', 'fr-FR'], coalesce_boundaries: ['sentence', 'completion'], supported_conformance_levels: [1, 2, 3], cognitive_load: 'low' };
    const response = await fetch(`${url}/aaep/v1/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request(capabilities)) });
    expect(response.status).toBe(200);
    const accepted = (await response.json()) as Record<string, unknown> & { honored_capabilities: Record<string, unknown> };
    expect(accepted.type).toBe('subscription.accepted');
    expect(accepted.subscription_id).toBe(listener.subscriptionId);
    await listener.waitFor((l) => l.answers.length === 1);
    expect(listener.answers[0]).toEqual(accepted);
    // Never more permissive than asked (§5.4.4), and only what the producer enforces.
    expect(accepted.honored_capabilities).toEqual({
      max_events_per_second: 3,
      preferred_verbosity: 'terse',
      languages: ['en-GB', 'fr-FR'],
      coalesce_boundaries: ['sentence', 'completion'],
      supported_conformance_levels: [1, 2, 3],
    });
    expect(accepted.negotiation_notes).toContain('cognitive_load');
    publishSession(hub, 1);
    await listener.waitFor((l) => sessionDone()(l.events));
    expect(listener.items[0]?.kind).toBe('answer');
  });

  it('binds a request to the stream its subscription_id names when several are open, and refuses to guess', async () => {
    const { url } = await start();
    const first = await open(url);
    const second = await open(url);
    const guess = await fetch(`${url}/aaep/v1/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request()) });
    expect(guess.status).toBe(409);
    const unknown = await fetch(`${url}/aaep/v1/subscriptions?subscription_id=sub_nosuchstream`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request()) });
    expect(unknown.status).toBe(404);
    const answer = await second.send(request({ max_events_per_second: 5 }));
    expect(answer.status).toBe(200);
    await second.waitFor((l) => l.answers.length === 1);
    expect(second.answers[0]?.subscription_id).toBe(second.subscriptionId);
    expect(first.answers).toEqual([]);
  });

  const rejections: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ['a version the producer does not speak', request({}, { aaep_version: '2.0.0' }), 'version_unsupported'],
    ['only languages the producer has no phrases in', request({ languages: ['yo-NG', 'ha-NG'] }), 'capabilities_incompatible'],
    ['only word and paragraph boundaries', request({ coalesce_boundaries: ['word', 'paragraph'] }), 'capabilities_incompatible'],
    ['signed manifests only, with no signing key configured', request({ accept_signed_manifests_only: true }), 'manifest_signature_required'],
  ];
  for (const [name, message, code] of rejections) {
    it(`rejects ${name} with ${code}, on the stream and in the response, and ends the stream`, async () => {
      const { url } = await start();
      const listener = await open(url);
      const answer = await listener.send(message);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ type: 'subscription.rejected', reason_code: code });
      await listener.ended;
      expect(listener.answers).toEqual([answer.body]);
    });
  }

  it('answers a malformed request with 400 and leaves the stream as it was', async () => {
    const { hub, url } = await start();
    const listener = await open(url);
    const answer = await listener.send(request({ max_events_per_second: 0 }));
    expect(answer.status).toBe(400);
    const { sessionId } = publishSession(hub, 1);
    await listener.waitFor((l) => sessionDone(sessionId)(l.events));
    expect(listener.answers).toEqual([]);
  });

  it('renegotiates only the fields named, keeping the subscription id, and closes on subscription.close', async () => {
    const { url } = await start();
    const listener = await open(url);
    await listener.send(request({ max_events_per_second: 5, preferred_verbosity: 'detailed' }));
    const renegotiated = await listener.send({ type: 'subscription.renegotiate', subscription_id: listener.subscriptionId, capabilities: { max_events_per_second: 1 } });
    expect(renegotiated.body).toMatchObject({
      type: 'subscription.accepted',
      subscription_id: listener.subscriptionId,
      honored_capabilities: { max_events_per_second: 1, preferred_verbosity: 'detailed' },
    });
    await listener.waitFor((l) => l.answers.length === 2);
    const closed = await listener.send({ type: 'subscription.close', subscription_id: listener.subscriptionId, reason_code: 'subscriber_shutdown' });
    expect(closed.status).toBe(204);
    await listener.ended;
    const after = await listener.send({ type: 'subscription.close', subscription_id: listener.subscriptionId });
    expect(after.status).toBe(404);
  });

  it('ends the subscription when a renegotiation cannot be honoured', async () => {
    const { url } = await start();
    const listener = await open(url);
    await listener.send(request({ max_events_per_second: 5 }));
    const answer = await listener.send({ type: 'subscription.renegotiate', subscription_id: listener.subscriptionId, capabilities: { languages: ['yo'] } });
    expect(answer.body).toMatchObject({ type: 'subscription.rejected', reason_code: 'capabilities_incompatible' });
    await listener.ended;
  });
});

describe('negotiating before the stream opens (spec B.1.2)', () => {
  const post = (url: string, body: unknown) => fetch(`${url}/aaep/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('answers 201 with the stream to open, which then runs under the negotiated terms', async () => {
    const { hub, url } = await start();
    const response = await post(url, request({ event_filters: { include: ['aaep:agent.session.*'] } }));
    expect(response.status).toBe(201);
    const accepted = (await response.json()) as { type: string; subscription_id: string };
    expect(accepted.type).toBe('subscription.accepted');
    expect(response.headers.get('location')).toBe(`/aaep/v1/events?subscription_id=${accepted.subscription_id}`);
    const listener = await open(url, `?subscription_id=${accepted.subscription_id}`);
    expect(listener.subscriptionId).toBe(accepted.subscription_id);
    const { sessionId } = publishSession(hub, 3);
    await listener.waitFor((l) => sessionDone(sessionId)(l.events));
    expect(listener.events.map((e) => e.type)).toEqual(['aaep:agent.session.started', 'aaep:agent.session.completed']);
    expect(listener.answers).toEqual([]);
  });

  it('keeps the terms for a stream that reconnects with its subscription_id and Last-Event-ID', async () => {
    const { hub, url } = await start();
    const accepted = (await (await post(url, request({ event_filters: { include: ['aaep:agent.session.*'] } }))).json()) as { subscription_id: string };
    const first = await open(url, `?subscription_id=${accepted.subscription_id}`);
    publishSession(hub, 1, { end: false });
    await first.waitFor((l) => l.events.length === 1);
    first.close();
    await first.ended;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await listenSse(url, { query: `?subscription_id=${accepted.subscription_id}`, headers: { 'Last-Event-ID': first.events[0]!.event_id } });
    listeners.push(again);
    const { sessionId } = publishSession(hub, 2);
    await again.waitFor((l) => sessionDone(sessionId)(l.events));
    expect(again.events.every((e) => e.type.startsWith('aaep:agent.session.'))).toBe(true);
  });

  it('gives a stream that opens under negotiated terms the catch-up of a session under way, then its position', async () => {
    let open: Translator | undefined;
    const hub = new EventHub({ producer: { agent_id: 'test-agent' }, catchUp: (sessionId, max) => open?.catchUp(sessionId, max) ?? [] });
    server = await startAaepServer({ hub, port: 0 });
    open = publishSession(hub, 2, { end: false }).translator;
    const accepted = (await (await post(server.url, request({ max_events_per_second: 1 }))).json()) as { subscription_id: string };
    const controller = new AbortController();
    const response = await fetch(`${server.url}/aaep/v1/events?subscription_id=${accepted.subscription_id}`, { signal: controller.signal });
    let received = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body!) received += decoder.decode(chunk as Uint8Array, { stream: true });
      } catch {
        // Aborted at the end of the test.
      }
    })();
    const text = () => received;
    await vi.waitFor(() => expect(text()).toContain('event: aaep.position'), { timeout: 5_000 });
    controller.abort();
    await reading;
    // Re-sent events first (no SSE id, so not a place to resume from), then the stream's position.
    const position = text().indexOf('event: aaep.position');
    expect(text().slice(0, position)).toContain('"type":"aaep:agent.session.started"');
    // Held back by the rate and renumbered for this subscription, still not a place to resume from.
    expect(text().slice(0, position)).toContain('"type":"aaep:agent.state.changed"');
    expect(text().slice(0, position)).not.toMatch(/^id: /m);
    expect(text().slice(position)).toMatch(/^event: aaep\.position\nid: evt_\w+\ndata: \n\n/);
  });

  it('refuses a stream for an unknown subscription_id, and one whose subscription was closed before it opened', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/aaep/v1/events?subscription_id=sub_nosuchthing`)).status).toBe(404);
    const accepted = (await (await post(url, request())).json()) as { subscription_id: string };
    const closed = await fetch(`${url}/aaep/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'subscription.close', subscription_id: accepted.subscription_id }) });
    expect(closed.status).toBe(204);
    expect((await fetch(`${url}/aaep/v1/events?subscription_id=${accepted.subscription_id}`)).status).toBe(404);
  });

  it('rejects with rate_limit beyond AAEP_PENDING_SUBSCRIPTIONS subscriptions waiting for their stream', async () => {
    vi.stubEnv('AAEP_PENDING_SUBSCRIPTIONS', '2');
    const { url } = await start();
    expect((await post(url, request())).status).toBe(201);
    expect((await post(url, request())).status).toBe(201);
    const third = await post(url, request());
    expect(await third.json()).toMatchObject({ type: 'subscription.rejected', reason_code: 'rate_limit', retry_after_seconds: 60 });
  });
});
