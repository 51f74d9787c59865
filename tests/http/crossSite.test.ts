import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { confirm } from '../../src/index.js';
import { NOT_JSON } from '../../src/http/requireJson.js';
import { CROSS_SITE } from '../../src/http/refuseCrossSite.js';
import { confirmationReply, startHarness, type Harness } from '../helpers/harness.js';
import { sessionDone } from '../helpers/sseClient.js';

const TOKEN = 'cross-site-test-token';
const EVIL = 'https://evil.example';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A harness whose agent records every session start it is asked for. */
async function agentBehindServer(options: { token?: string; corsOrigins?: string[] } = {}) {
  const started: string[] = [];
  harness = await startHarness({ ...options, onUserInput: (text) => (started.push(text), `sess_${started.length}started`) });
  return { h: harness, started };
}

/** What a browser sends for another site's `<form method=post>` or `fetch(…, {mode:'no-cors'})`. */
function raw(h: Harness, path: string, body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${h.server.url}${path}`, { method: 'POST', headers, body });
}

const writes = [
  ['/aaep/v1/messages', JSON.stringify({ kind: 'user_input', text: 'Transfer everything' })],
  ['/sessions', JSON.stringify({ user_message: 'Transfer everything' })],
] as const;

/** A tool that asks first: the pending confirmation a forged reply would try to answer. */
function askingTurn(h: Harness) {
  return h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Pay the bill' } }, async (session) => {
    const decision = await h.tracer.startActiveSpan('pay', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'pay', 'aaep.tool.requires_confirmation': true } }, async (tool) => {
      const d = await confirm(tool, { action: 'Pay 500 EUR', consequence: 'The money leaves your account.', riskLevel: 'high', irreversible: true });
      tool.end();
      return d;
    });
    session.end();
    return decision;
  });
}

describe('state-changing endpoints and cross-site requests', () => {
  it("starts nothing for another site's form post carrying the token cookie (text/plain, urlencoded, or JSON): 403", async () => {
    const { h, started } = await agentBehindServer({ token: TOKEN });
    const cookie = `aaep_token=${TOKEN}`;
    for (const [path, body] of writes) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json']) {
        const viaOrigin = await raw(h, path, body, { Cookie: cookie, 'Content-Type': type, Origin: EVIL });
        expect(viaOrigin.status, `${path} ${type} with Origin`).toBe(403);
        expect(await viaOrigin.json()).toEqual(CROSS_SITE);
        const viaFetchMetadata = await raw(h, path, body, { Cookie: cookie, 'Content-Type': type, 'Sec-Fetch-Site': 'cross-site' });
        expect(viaFetchMetadata.status, `${path} ${type} with Sec-Fetch-Site`).toBe(403);
      }
      // Another port of the same host is the same site (the cookie goes along) but not the same origin.
      const otherPort = await raw(h, path, body, { Cookie: cookie, 'Content-Type': 'application/json', Origin: 'http://127.0.0.1:1', 'Sec-Fetch-Site': 'same-site' });
      expect(otherPort.status).toBe(403);
      const sandboxed = await raw(h, path, body, { Cookie: cookie, 'Content-Type': 'application/json', Origin: 'null' });
      expect(sandboxed.status).toBe(403);
    }
    expect(started).toEqual([]);
  });

  it('takes no forged reply: the pending confirmation is still settled by the first real answer', async () => {
    const { h } = await agentBehindServer({ token: TOKEN });
    const decision = askingTurn(h);
    await h.client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
    const replyToken = String(h.client.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    const forged = JSON.stringify(confirmationReply(replyToken, 'accept'));
    for (const path of ['/aaep/v1/replies', '/aaep/v1/messages']) {
      expect((await raw(h, path, forged, { Cookie: `aaep_token=${TOKEN}`, 'Content-Type': 'text/plain', Origin: EVIL, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
      const plain = await raw(h, path, forged, { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'text/plain' });
      expect(plain.status).toBe(415);
      expect(await plain.json()).toEqual(NOT_JSON);
    }
    expect((await h.post('/aaep/v1/replies', confirmationReply(replyToken, 'reject'))).status).toBe(204);
    await expect(decision).resolves.toMatchObject({ decision: 'reject', by: 'user' });
    await h.client.waitFor(sessionDone());
  });

  it('answers anything but application/json with 415, whatever the credential, and starts nothing', async () => {
    const { h, started } = await agentBehindServer({ token: TOKEN });
    for (const [path, body] of writes) {
      const types: Array<Record<string, string>> = [{ 'Content-Type': 'text/plain' }, { 'Content-Type': 'application/x-www-form-urlencoded' }, { 'Content-Type': 'multipart/form-data; boundary=x' }, {}];
      for (const headers of types) {
        const response = await raw(h, path, body, { Authorization: `Bearer ${TOKEN}`, ...headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(415);
        expect(await response.json()).toEqual(NOT_JSON);
      }
    }
    expect(started).toEqual([]);
    // JSON with a charset is still JSON.
    const ok = await raw(h, '/sessions', writes[1][1], { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json; charset=utf-8' });
    expect(ok.status).toBe(202);
    expect(started).toEqual(['Transfer everything']);
  });

  it('takes cookie requests from its own page and from a configured CORS origin', async () => {
    const trusted = 'https://dashboard.example';
    const { h, started } = await agentBehindServer({ token: TOKEN, corsOrigins: [trusted] });
    const own = await raw(h, '/aaep/v1/messages', writes[0][1], { Cookie: `aaep_token=${TOKEN}`, 'Content-Type': 'application/json', Origin: h.server.url, 'Sec-Fetch-Site': 'same-origin' });
    expect(own.status).toBe(202);
    const allowed = await raw(h, '/sessions', writes[1][1], { Cookie: `aaep_token=${TOKEN}`, 'Content-Type': 'application/json', Origin: trusted, 'Sec-Fetch-Site': 'cross-site' });
    expect(allowed.status).toBe(202);
    expect(started).toHaveLength(2);
  });

  it("refuses other sites' pages even with no token configured, and still serves local clients that are not web pages", async () => {
    const { h, started } = await agentBehindServer();
    for (const [path, body] of writes) {
      expect((await raw(h, path, body, { 'Content-Type': 'text/plain', Origin: EVIL })).status).toBe(403);
      expect((await raw(h, path, body, { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
      expect((await raw(h, path, body, { 'Content-Type': 'text/plain' })).status).toBe(415);
    }
    expect(started).toEqual([]);
    expect((await raw(h, '/sessions', writes[1][1], { 'Content-Type': 'application/json' })).status).toBe(202);
    expect(started).toHaveLength(1);
  });
});

/** A POST over node:http, which (unlike fetch) sends the Host header it is given. */
function postWithHost(h: Harness, path: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.server.url}${path}`, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.once('error', reject);
    req.end(body);
  });
}

describe('a page that reached the server by DNS rebinding (its own name pointed at 127.0.0.1)', () => {
  /** Looks same-origin to the browser: the page's origin is the name it used, and so is the Host. */
  const rebound = (h: Harness) => {
    const host = `attacker.example:${h.server.port}`;
    return { Host: host, Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
  };

  it('changes nothing when no token is configured: 403, while pages served as localhost or 127.0.0.1 still work', async () => {
    const { h, started } = await agentBehindServer();
    for (const [path, body] of writes) expect(await postWithHost(h, path, body, rebound(h)), path).toBe(403);
    expect(started).toEqual([]);
    for (const host of [`localhost:${h.server.port}`, `127.0.0.1:${h.server.port}`]) {
      const page = { Host: host, Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
      expect(await postWithHost(h, '/sessions', writes[1][1], page), host).toBe(202);
    }
    expect(started).toHaveLength(2);
  });

  it('is left to the token when one is configured: the rebound page has no credential and gets 401', async () => {
    const { h, started } = await agentBehindServer({ token: TOKEN });
    expect(await postWithHost(h, '/sessions', writes[1][1], rebound(h))).toBe(401);
    expect(started).toEqual([]);
  });
});

describe('the token cookie of the web page', () => {
  it('is set HttpOnly and SameSite=Strict when the page is opened with the right token, which then leaves the address', async () => {
    harness = await startHarness({ token: TOKEN });
    const response = await fetch(`${harness.server.url}/aaep/ui?access_token=${TOKEN}&lang=de`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(new URL(response.headers.get('location')!, `${harness.server.url}/aaep/ui`).href).toBe(`${harness.server.url}/aaep/ui?lang=de`);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie.split(';').map((part) => part.trim().toLowerCase())).toEqual(expect.arrayContaining([`aaep_token=${TOKEN}`, 'httponly', 'samesite=strict']));
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('is not set for a wrong token, which gets 401', async () => {
    harness = await startHarness({ token: TOKEN });
    const response = await fetch(`${harness.server.url}/aaep/ui?access_token=guess`, { redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.json()).toEqual({ error: 'unauthorized', message: 'The access_token in this address is not valid.' });
  });
});
