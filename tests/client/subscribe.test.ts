import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepClientError, announce, subscribe, type SubscribeOptions, type SubscriptionStatus } from '../../src/client/index.js';
import { EventHub, startAaepServer, type AaepEvent, type AaepServer, type AaepServerOptions } from '../../src/index.js';
import { publishSession } from '../helpers/fakeSession.js';
import { connectSse, type SseClient } from '../helpers/sseClient.js';
import { seeded } from '../helpers/seeded.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function serve(hub: EventHub, options: Partial<AaepServerOptions> = {}): Promise<AaepServer> {
  const server = await startAaepServer({ hub, port: 0, retryMs: 5, ...options });
  cleanups.push(() => server.close());
  return server;
}

async function watch(url: string, headers?: Record<string, string>): Promise<SseClient> {
  const client = await connectSse(`${url}/aaep/v1/events`, { headers });
  cleanups.push(() => client.close());
  return client;
}

/** A subscription that records what its callbacks saw. */
function follow(url: string, options: Partial<SubscribeOptions> = {}) {
  const events: AaepEvent[] = [];
  const texts: string[] = [];
  const labels: (string | undefined)[] = [];
  const argumentCounts: number[] = [];
  const statuses: SubscriptionStatus[] = [];
  const errors: AaepClientError[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const subscription = subscribe(url, {
    retry: { initialMs: 5, maxMs: 40 },
    ...options,
    onEvent(event, text, ...label) {
      events.push(event);
      texts.push(text);
      labels.push(label[0]);
      argumentCounts.push(2 + label.length);
      notify();
    },
    onStatus(status) {
      statuses.push(status);
      notify();
    },
    onError(error) {
      errors.push(error);
      notify();
    },
  });
  cleanups.push(() => subscription.close());
  return {
    subscription,
    events,
    texts,
    labels,
    argumentCounts,
    statuses,
    errors,
    ids: () => events.map((event) => event.event_id),
    until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
      if (predicate()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out with ${events.length} events, statuses ${statuses.join(' ')}, errors ${errors.map((e) => e.message).join('; ')}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
  };
}

const completions = (events: ReadonlyArray<{ type: string }>) => events.filter((event) => event.type === 'aaep:agent.session.completed').length;


/**
 * A real HTTP proxy in front of `upstream` that cuts client connections: some before
 * any answer, the rest after a random number of body bytes (often mid-frame), until
 * it has cut `drops` of them. Then it passes everything through.
 */
async function startFlakyProxy(upstream: string, options: { drops: number; seed: number; maxBytes: number }) {
  const random = seeded(options.seed);
  let cuts = 0;
  const proxy = http.createServer((req, res) => {
    if (cuts < options.drops && random() < 0.1) {
      cuts++;
      req.socket.destroy();
      return;
    }
    const budget = cuts < options.drops ? Math.floor(random() * options.maxBytes) : Number.POSITIVE_INFINITY;
    const forward = http.request(`${upstream}${req.url}`, { method: req.method, headers: req.headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (sent >= budget) return;
        if (sent + chunk.length <= budget) {
          sent += chunk.length;
          res.write(chunk);
          return;
        }
        const part = chunk.subarray(0, budget - sent);
        sent = budget;
        cuts++;
        answer.destroy();
        res.write(part, () => res.socket?.destroy());
      });
      answer.on('end', () => res.end());
      answer.on('error', () => res.destroy());
    });
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    forward.end();
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, cuts: () => cuts };
}

/** A bare HTTP server answering each request with `respond(n)`, n counting from 1. */
async function startRawServer(respond: (request: number, res: http.ServerResponse) => void) {
  let requests = 0;
  const server = http.createServer((_req, res) => respond(++requests, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

describe('subscribe()', () => {
  it('delivers the events in order, each with the words to say at the chosen verbosity', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const watcher = await watch(server.url);
    const client = follow(`${server.url}/aaep/v1/events`, { verbosity: 'terse' });
    await client.until(() => client.statuses.includes('open'));
    publishSession(hub, 3);
    publishSession(hub, 2);
    await watcher.waitFor((events) => completions(events) === 2);
    await client.until(() => completions(client.events) === 2);
    expect(client.ids()).toEqual(watcher.ids);
    expect(client.texts).toEqual(client.events.map((event) => announce(event, 'terse')));
    expect(client.texts[0]).toBe('Started.');
    expect(client.texts.join(' ')).not.toMatch(/undefined/);
    expect(client.errors).toEqual([]);
    expect(client.subscription.lastEventId).toBe(watcher.ids.at(-1));
  });

  it('names the session with its label only while more than one session is open', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const client = follow(server.url);
    await client.until(() => client.statuses.includes('open'));
    publishSession(hub, 1, { request: 'Generate a quarterly report' });
    await client.until(() => completions(client.events) === 1);
    expect(client.labels.every((label) => label === undefined)).toBe(true);
    expect(client.argumentCounts.every((count) => count === 2)).toBe(true);

    const report = publishSession(hub, 1, { request: 'Generate a quarterly report', end: false });
    const email = publishSession(hub, 1, { request: 'Send an email to Ada', end: false });
    report.translator.cancelAll(Date.now(), 'test_over');
    await client.until(() => client.events.some((event) => event.session_id === report.sessionId && event.type === 'aaep:agent.session.cancelled'));
    const labelsOf = (sessionId: string) => client.events.flatMap((event, i) => (event.session_id === sessionId ? [client.labels[i]] : []));
    // Alone at first, then named while the other is open, including the event that ends it.
    expect(labelsOf(report.sessionId)[0]).toBeUndefined();
    expect(labelsOf(report.sessionId).at(-1)).toBe('Generate a quarterly');
    expect(labelsOf(email.sessionId).every((label) => label === 'Send an email')).toBe(true);
    expect(client.texts.some((text) => text.startsWith('Generate a quarterly'))).toBe(false);
    expect(client.errors).toEqual([]);
  });

  it('accepts the server base URL as well as the events URL', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const client = follow(`${server.url}/`);
    await client.until(() => client.statuses.includes('open'));
    publishSession(hub, 1);
    await client.until(() => completions(client.events) === 1);
    expect(client.events[0]?.type).toBe('aaep:agent.session.started');
  });

  it('follows only the session it is given', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const first = publishSession(hub, 1, { end: false });
    const client = follow(server.url, { sessionId: first.sessionId });
    await client.until(() => client.statuses.includes('open'));
    publishSession(hub, 2);
    first.translator.cancelAll(Date.now(), 'test_over');
    await client.until(() => client.events.some((event) => event.type === 'aaep:agent.session.cancelled'));
    expect(new Set(client.events.map((event) => event.session_id))).toEqual(new Set([first.sessionId]));
  });

  it('sends the bearer token', async () => {
    const hub = new EventHub();
    const server = await serve(hub, { token: 'open-sesame' });
    const client = follow(server.url, { token: 'open-sesame' });
    await client.until(() => client.statuses.includes('open'));
    publishSession(hub, 1);
    await client.until(() => completions(client.events) === 1);
    expect(client.errors).toEqual([]);
  });

  it('stops with an AaepClientError on 401, without retrying', async () => {
    const hub = new EventHub();
    const server = await serve(hub, { token: 'open-sesame' });
    const client = follow(server.url, { token: 'wrong' });
    const failure = await client.subscription.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AaepClientError);
    expect(failure).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    expect((failure as Error).message).toMatch(/Authentication failed/);
    expect(client.errors).toEqual([failure]);
    expect(client.statuses).toEqual(['connecting', 'closed']);
  });

  it('resumes after the server drops the connection, missing nothing and repeating nothing', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const sockets: Socket[] = [];
    server.server.on('connection', (socket: Socket) => sockets.push(socket));
    const watcher = await watch(server.url);
    // Slow to come back, so the events published meanwhile can only arrive by resuming.
    const client = follow(server.url, { retry: { initialMs: 200, maxMs: 200 } });
    await client.until(() => client.statuses.includes('open'));
    publishSession(hub, 3);
    await client.until(() => completions(client.events) === 1);
    const before = client.events.length;
    sockets[1]!.destroy();
    await client.until(() => client.statuses.includes('reconnecting'));
    publishSession(hub, 2);
    await watcher.waitFor((events) => completions(events) === 2);
    await client.until(() => completions(client.events) === 2);
    expect(client.events.length).toBeGreaterThan(before);
    expect(client.ids()).toEqual(watcher.ids);
    expect(client.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('hears a session joined mid-way once, and after a drop resumes where the live events start', async () => {
    let open: ReturnType<typeof publishSession> | undefined;
    const hub = new EventHub({ catchUp: (sessionId, max) => open?.translator.catchUp(sessionId, max) ?? [] });
    const server = await serve(hub);
    const sockets: Socket[] = [];
    server.server.on('connection', (socket: Socket) => sockets.push(socket));
    const watcher = await watch(server.url);
    open = publishSession(hub, 3, { end: false });
    await watcher.waitFor((events) => events.length === 6);
    const client = follow(server.url, { retry: { initialMs: 200, maxMs: 200 } });
    // The catch-up: how the session started and where it stands, then the id live events follow.
    await client.until(() => client.events.length === 2);
    while (client.subscription.lastEventId === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(client.subscription.lastEventId).toBe(watcher.ids.at(-1));
    expect(client.events.map((event) => event.type)).toEqual(['aaep:agent.session.started', 'aaep:agent.state.changed']);
    expect(client.events.map((event) => event.event_id)).toEqual([watcher.ids[0], watcher.ids[2]]);
    sockets[1]!.destroy();
    await client.until(() => client.statuses.includes('reconnecting'));
    open.translator.cancelAll(Date.now(), 'test_over');
    const cancelled = (events: ReadonlyArray<{ type: string }>) => events.some((event) => event.type === 'aaep:agent.session.cancelled');
    await watcher.waitFor(cancelled);
    await client.until(() => cancelled(client.events));
    expect(client.ids()).toEqual([watcher.ids[0], watcher.ids[2], ...watcher.ids.slice(6)]);
    expect(client.errors.filter((error) => error.code !== 'network')).toEqual([]);
  });

  it('retries after 503 and 429 and then delivers', async () => {
    const event = { type: 'aaep:agent.session.started', event_id: 'evt_1', session_id: 'sess_1', summary_normal: 'Started work.' };
    const server = await startRawServer((request, res) => {
      if (request <= 2) {
        res.writeHead(request === 1 ? 503 : 429, { 'Content-Type': 'application/json' }).end('{"message":"Busy."}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`event: aaep.event\nid: evt_1\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const client = follow(server.url);
    await client.until(() => client.events.length === 1);
    expect(server.requests()).toBe(3);
    expect(client.texts).toEqual(['Started work.']);
    expect(client.errors.map((error) => [error.status, error.retryable])).toEqual([
      [503, true],
      [429, true],
    ]);
    expect(client.errors[0]?.message).toContain('Busy.');
  });

  it('skips and reports malformed events, and delivers the rest', async () => {
    const good = { type: 'aaep:agent.session.started', event_id: 'evt_2', session_id: 'sess_1', summary_normal: 'Started.' };
    const server = await startRawServer((_request, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('event: aaep.event\nid: evt_1\ndata: {not json\n\n');
      res.write('event: aaep.event\nid: evt_1b\ndata: {"type":"aaep:agent.session.started"}\n\n');
      res.write(`event: aaep.event\nid: evt_2\ndata: ${JSON.stringify(good)}\n\n`);
    });
    const client = follow(server.url);
    await client.until(() => client.events.length === 1);
    expect(client.ids()).toEqual(['evt_2']);
    expect(client.errors.map((error) => error.code)).toEqual(['malformed_event', 'malformed_event']);
    expect(client.errors[0]?.message).toContain('evt_1');
  });

  it('stops on an answer that is not an event stream', async () => {
    const server = await startRawServer((_request, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html></html>');
    });
    const client = follow(server.url);
    await expect(client.subscription.done).rejects.toMatchObject({ code: 'protocol' });
    expect(server.requests()).toBe(1);
  });

  it('delivers every event exactly once, in order, when the connection drops at random points 200 times', async () => {
    const hub = new EventHub();
    const server = await serve(hub);
    const watcher = await watch(server.url);
    const proxy = await startFlakyProxy(server.url, { drops: 200, seed: 20_240_611, maxBytes: 8_192 });
    const client = follow(proxy.url, { retry: { initialMs: 5, maxMs: 40 } });
    await client.until(() => client.statuses.includes('open'));

    // A few thousand events, published while the connection keeps breaking.
    const sessions = 120;
    for (let i = 0; i < sessions; i++) {
      publishSession(hub, 20);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    await watcher.waitFor((events) => completions(events) === sessions, 15_000);
    await client.until(() => completions(client.events) === sessions, 15_000);
    expect(proxy.cuts()).toBe(200);
    expect(watcher.ids).toHaveLength(sessions * 25);
    expect(client.ids()).toEqual(watcher.ids);
    expect(client.statuses.filter((status) => status === 'reconnecting').length).toBeGreaterThanOrEqual(100);
  }, 20_000);
});
