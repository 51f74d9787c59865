/**
 * Two people on one running reference agent, each with a credential of their own (Alice a
 * token from the token map, Bob a JWT), and the operator with the shared token: each hears
 * only their own sessions, live, in catch-up and on resume, neither can answer the other's
 * confirmation, and the operator hears both. Real server, real SSE and WebSocket clients,
 * real JWTs (jose).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ReferenceAgent } from '../../examples/reference-agent/ReferenceAgent.js';
import type { ListenerOptions } from '../../src/http/ListenerAuth.js';
import { confirmationReply, startHarness, type Harness } from '../helpers/harness.js';
import { connectSse, sessionDone, type SseClient, type WireEvent } from '../helpers/sseClient.js';
import { listenWs } from '../helpers/wsListener.js';

const OPERATOR = 'operator-token';
const ALICE = 'alice-token';
const SECRET = 'a-shared-secret-of-at-least-thirty-two-bytes!';
const bearer = (credential: string) => ({ Authorization: `Bearer ${credential}` });

let harness: Harness | undefined;
const closers: Array<() => void> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await harness?.close();
  harness = undefined;
});

function jwt(sub: string, options: { expiresIn?: string | number; secret?: string } = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '10m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

async function start(listeners: ListenerOptions = { tokens: { [ALICE]: 'alice' }, jwtSecret: SECRET }): Promise<Harness> {
  let agent: ReferenceAgent | undefined;
  const h = await startHarness({ token: OPERATOR, listeners, onUserInput: (text, from) => agent!.start(text, from.principal).sessionId });
  agent = new ReferenceAgent(h.tracer, { pace: 0.05, replyTimeoutSeconds: 30 });
  harness = h;
  return h;
}

async function listen(h: Harness, credential: string, options: { lastEventId?: string } = {}): Promise<SseClient> {
  const client = await connectSse(`${h.server.url}/aaep/v1/events`, { headers: bearer(credential), ...options });
  closers.push(() => client.close());
  return client;
}

async function say(h: Harness, credential: string, text: string): Promise<string> {
  const response = await h.post('/aaep/v1/messages', { kind: 'user_input', text }, bearer(credential));
  expect(response.status).toBe(202);
  return ((await response.json()) as { session_id: string }).session_id;
}

const asking = (sessionId: string) => (events: WireEvent[]) => events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation');
const sessionsIn = (events: WireEvent[]) => [...new Set(events.map((e) => e.session_id))];

describe('two users on one agent', () => {
  it('each hears only their own sessions live, and the operator hears both', async () => {
    const h = await start();
    const bobJwt = await jwt('bob');
    const alice = await listen(h, ALICE);
    const bob = await listen(h, bobJwt);
    const a = await say(h, ALICE, 'Send an email to Ada saying hi');
    const b = await say(h, bobJwt, 'Hello there');
    await bob.waitFor(sessionDone(b));
    await alice.waitFor(asking(a));
    await h.client.waitFor((events) => sessionDone(b)(events) && asking(a)(events));
    expect(sessionsIn(alice.events)).toEqual([a]);
    expect(sessionsIn(bob.events)).toEqual([b]);
    expect(sessionsIn(h.client.events).sort()).toEqual([a, b].sort());
    // Bob's own request text never reaches Alice, and hers never reaches him.
    expect(JSON.stringify(alice.events)).not.toContain('Hello there');
    expect(JSON.stringify(bob.events)).not.toContain('Ada');
  }, 30_000);

  it('takes no answer to a confirmation from another user, over HTTP or WebSocket, and takes its owner\'s', async () => {
    const h = await start();
    const bobJwt = await jwt('bob');
    const a = await say(h, ALICE, 'Send an email to Ada saying hi');
    await h.client.waitFor(asking(a));
    const question = h.client.events.find((e) => e.session_id === a && e.type === 'aaep:agent.awaiting.confirmation')!;
    const token = String(question.reply_token);
    // The usual 204: a reply's outcome shows on the stream, so the refusal reveals nothing.
    expect((await h.post('/aaep/v1/replies', confirmationReply(token, 'accept'), bearer(bobJwt))).status).toBe(204);
    const overWs = await listenWs(h.server.url, { protocols: ['aaep.v1', `aaep.bearer.${bobJwt}`] });
    closers.push(() => overWs.close());
    overWs.socket.send(JSON.stringify(confirmationReply(token, 'accept')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = h.client.events.slice(h.client.events.indexOf(question) + 1).filter((e) => e.session_id === a);
    expect(after.map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');
    expect(after.map((e) => e.type)).not.toContain('aaep:agent.session.completed');
    expect((await h.post('/aaep/v1/replies', confirmationReply(token, 'accept'), bearer(ALICE))).status).toBe(204);
    await h.client.waitFor((events) => events.some((e) => e.session_id === a && e.type === 'aaep:agent.tool.completed' && e.tool === 'send_email' && e.status === 'success'));
    expect(overWs.events.filter((e) => e.session_id === a)).toEqual([]);
  }, 30_000);

  it('gives a late listener the catch-up of their own open sessions only', async () => {
    const h = await start();
    const bobJwt = await jwt('bob');
    const a = await say(h, ALICE, 'Send an email to Ada saying hi');
    const b = await say(h, bobJwt, 'Send an email to Bea saying hello');
    await h.client.waitFor((events) => asking(a)(events) && asking(b)(events));
    const alice = await listen(h, ALICE);
    const bob = await listen(h, bobJwt);
    await alice.waitFor(asking(a));
    await bob.waitFor(asking(b));
    expect(alice.catchUp).toBeGreaterThan(0);
    expect(sessionsIn(alice.events)).toEqual([a]);
    expect(sessionsIn(bob.events)).toEqual([b]);
    // The catch-up's position is an event Alice may hear, so it names nothing of Bob's.
    expect(h.client.events.find((e) => e.event_id === alice.position)?.session_id).toBe(a);
  }, 30_000);

  it('resumes a listener after their own event, and treats an id from another user\'s session as unknown', async () => {
    const h = await start();
    const bobJwt = await jwt('bob');
    const a = await say(h, ALICE, 'Send an email to Ada saying hi');
    const b = await say(h, bobJwt, 'Send an email to Bea saying hello');
    await h.client.waitFor((events) => asking(a)(events) && asking(b)(events));
    const firstOfA = h.client.events.find((e) => e.session_id === a)!;
    const firstOfB = h.client.events.find((e) => e.session_id === b)!;

    const resumed = await listen(h, ALICE, { lastEventId: firstOfA.event_id });
    await resumed.waitFor(asking(a));
    expect(resumed.catchUp).toBe(0);
    expect(sessionsIn(resumed.events)).toEqual([a]);
    // Exactly what followed her event in her session, as the operator heard it.
    const ofA = h.client.events.filter((e) => e.session_id === a).map((e) => e.event_id);
    expect(resumed.events.map((e) => e.event_id)).toEqual(ofA.slice(1));

    const withBobsId = await listen(h, ALICE, { lastEventId: firstOfB.event_id });
    const withUnknownId = await listen(h, ALICE, { lastEventId: `evt_${'0'.repeat(49)}` });
    await withBobsId.waitFor(asking(a));
    await withUnknownId.waitFor(asking(a));
    // Bob's id gets exactly what an unknown id gets: Alice's catch-up, nothing after his event.
    expect(withBobsId.catchUp).toBeGreaterThan(0);
    expect(withBobsId.events.map((e) => e.event_id)).toEqual(withUnknownId.events.map((e) => e.event_id));
    expect(sessionsIn(withBobsId.events)).toEqual([a]);
  }, 30_000);

  it('hears the same scoping over WebSocket', async () => {
    const h = await start();
    const bobJwt = await jwt('bob');
    const bob = await listenWs(h.server.url, { protocols: ['aaep.v1', `aaep.bearer.${bobJwt}`] });
    closers.push(() => bob.close());
    const a = await say(h, ALICE, 'Hello there');
    const b = await say(h, bobJwt, 'Hello again');
    await bob.waitFor((l) => sessionDone(b)(l.events));
    await h.client.waitFor(sessionDone(a));
    expect(sessionsIn(bob.events)).toEqual([b]);
  }, 30_000);
});

describe('listener credentials', () => {
  it('ends a stream when its JWT expires, over SSE and over WebSocket (4002)', async () => {
    const h = await start();
    const shortLived = await jwt('bob', { expiresIn: Math.floor(Date.now() / 1000) + 2 });
    const overSse = await listen(h, shortLived);
    expect(overSse.status).toBe(200);
    const overWs = await listenWs(h.server.url, { protocols: ['aaep.v1', `aaep.bearer.${shortLived}`] });
    closers.push(() => overWs.close());
    const started = Date.now();
    await overSse.ended;
    expect((await overWs.closeInfo).code).toBe(4002);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Reconnecting with it is refused.
    expect((await fetch(`${h.server.url}/aaep/v1/events`, { headers: bearer(shortLived) })).status).toBe(401);
  }, 15_000);

  it('refuses forged, wrongly signed, expired, unsigned and expiry-less JWTs alike with 401', async () => {
    const h = await start();
    const good = await jwt('bob');
    const [header, payload] = good.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    const refused = [
      await jwt('bob', { secret: 'another-secret-of-at-least-thirty-two-bytes' }),
      `${header}.${forgedPayload}.${good.split('.')[2]}`,
      await jwt('bob', { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
      await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').sign(new TextEncoder().encode(SECRET)),
      'not-a-token',
    ];
    const bodies = new Set<string>();
    for (const credential of refused) {
      const response = await fetch(`${h.server.url}/aaep/v1/events`, { headers: bearer(credential) });
      expect(response.status).toBe(401);
      bodies.add(await response.text());
    }
    // One answer for every failure: it never says why.
    expect(bodies.size).toBe(1);
    const accepted = await fetch(`${h.server.url}/aaep/v1/events`, { headers: bearer(good) });
    expect(accepted.status).toBe(200);
    await accepted.body?.cancel();
  }, 15_000);

  it('verifies JWTs against a JWKS URL, with issuer and audience, and takes the principal from a configured claim', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
    const jwks: Server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    closers.push(() => jwks.close());
    const h = await start({ jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`, issuer: 'https://id.example', audience: 'aaep', principalClaim: 'email' });
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const carol = await sign({ iss: 'https://id.example', aud: 'aaep', email: 'carol@example.com' });
    const wrongAudience = await sign({ iss: 'https://id.example', aud: 'other', email: 'carol@example.com' });
    expect((await fetch(`${h.server.url}/aaep/v1/events`, { headers: bearer(wrongAudience) })).status).toBe(401);
    const listener = await listen(h, carol);
    const mine = await say(h, carol, 'Hello there');
    await say(h, OPERATOR, 'Hello again');
    await listener.waitFor(sessionDone(mine));
    await h.client.waitFor((events) => sessionsIn(events).length === 2 && events.filter((e) => /session\.(completed|errored)/.test(e.type)).length === 2);
    expect(sessionsIn(listener.events)).toEqual([mine]);
  }, 30_000);

  it('opens the page with a user\'s own credential, whose cookie then carries a scoped stream', async () => {
    const h = await start();
    const bobJwt = await jwt('bob');
    const page = await fetch(`${h.server.url}/aaep/ui?access_token=${bobJwt}`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${h.server.url}/aaep/ui?access_token=forged.${bobJwt.split('.')[1]}.x`, { redirect: 'manual' })).status).toBe(401);
    const bob = await connectSse(`${h.server.url}/aaep/v1/events`, { headers: { Cookie: cookie } });
    closers.push(() => bob.close());
    const a = await say(h, ALICE, 'Hello there');
    const b = await say(h, bobJwt, 'Hello again');
    await bob.waitFor(sessionDone(b));
    await h.client.waitFor(sessionDone(a));
    expect(sessionsIn(bob.events)).toEqual([b]);
  }, 30_000);

  it('lets only the operator hear sessions nobody owns, unless everyone is configured to', async () => {
    const h = await start();
    const unowned = await say(h, OPERATOR, 'Hello there');
    const alice = await listen(h, ALICE);
    const mine = await say(h, ALICE, 'Hello again');
    await alice.waitFor(sessionDone(mine));
    await h.client.waitFor(sessionDone(unowned));
    expect(sessionsIn(alice.events)).toEqual([mine]);

    for (const close of closers.splice(0)) close();
    await h.close();
    const open = await start({ tokens: { [ALICE]: 'alice' }, unownedSessions: 'everyone' });
    const aliceAgain = await listen(open, ALICE);
    const shared = await say(open, OPERATOR, 'Hello there');
    await aliceAgain.waitFor(sessionDone(shared));
    expect(sessionsIn(aliceAgain.events)).toEqual([shared]);
  }, 30_000);
});
