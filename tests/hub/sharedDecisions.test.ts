import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Receiver } from '../../collector/startReceiver.js';
import type { ConfirmDecision } from '../../src/agent/confirm.js';
import { confirmationReply } from '../helpers/harness.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { payingAgent } from '../helpers/remoteAgent.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { connectSse, sessionDone, type SseClient, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const redis = useRedisServer();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function threeReceivers(): Promise<[Receiver, Receiver, Receiver]> {
  const receivers = await Promise.all([0, 1, 2].map(() => startTestReceiver({ hubUrl: redis.url })));
  for (const receiver of receivers) {
    cleanups.push(() => receiver.close());
    await receiver.backend.ready();
  }
  return receivers as [Receiver, Receiver, Receiver];
}

/** Redis behind a proxy that holds every request `delayMs`: a receiver whose Redis is slow. */
async function slowRedis(delayMs: number): Promise<string> {
  const target = new URL(redis.url);
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (socket === client ? upstream : client).destroy());
    }
    // Equal delays keep the order of what the receiver sends.
    client.on('data', (chunk: Buffer) => setTimeout(() => upstream.write(chunk), delayMs));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => proxy.close(resolve));
  });
  return `redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

/** An agent in "another process": its spans go to `exportTo`, it polls `pollAt` for the answer to its confirmation. */
function agentAsking(exportTo: Receiver, pollAt: Receiver, timeoutSeconds = 30): Promise<ConfirmDecision> {
  return payingAgent({ exportTo: exportTo.url, pollAt: pollAt.url, cleanups, timeoutSeconds, toolAttributes: { 'aaep.tool.irreversible': true, 'aaep.tool.risk_level': 'high' } });
}

async function listen(receiver: Receiver): Promise<SseClient> {
  const client = await connectSse(`${receiver.url}/aaep/v1/events`);
  cleanups.push(() => client.close());
  return client;
}

function reply(receiver: Receiver, token: string, decision: string): Promise<Response> {
  return fetch(`${receiver.url}/aaep/v1/replies`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(confirmationReply(token, decision)) });
}

const asked = (events: WireEvent[]) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation');

describe('confirmations across receivers sharing Redis', () => {
  it('asked through A, answered on C: the agent polling B gets the answer, once', async () => {
    const [a, b, c] = await threeReceivers();
    const onC = await listen(c);
    const deciding = agentAsking(a, b);
    await onC.waitFor(asked);
    const token = String(onC.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    expect((await reply(c, token, 'accept')).status).toBe(204);
    // C answers once its claim is in Redis: a reply sent after that 204, even to the instance
    // that asked, comes later and changes nothing.
    expect((await reply(a, token, 'reject')).status).toBe(204);
    expect((await reply(b, token, 'reject')).status).toBe(204);
    const decision = await deciding;
    expect(decision).toMatchObject({ decision: 'accept', by: 'user' });
    await onC.waitFor(sessionDone());
    expectLegalStream(onC.events);
    expect(onC.events.filter((e) => e.type === 'aaep:agent.tool.invoked')).toHaveLength(1);
  }, 30_000);

  it('answers a reply on an instance that did not ask once its claim is in Redis, so a reply sent after that answer cannot win', async () => {
    const [a, b] = await threeReceivers();
    const slow = await startTestReceiver({ hubUrl: await slowRedis(150) });
    cleanups.push(() => slow.close());
    await slow.backend.ready();
    const onA = await listen(a);
    const deciding = agentAsking(a, b);
    await onA.waitFor(asked);
    const token = String(onA.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    expect((await reply(slow, token, 'accept')).status).toBe(204);
    // Straight to the instance holding the question, which claims at once on its fast Redis.
    expect((await reply(a, token, 'reject')).status).toBe(204);
    expect(await deciding).toMatchObject({ decision: 'accept', by: 'user' });
  }, 30_000);

  it('answers a reply after AAEP_HUB_CLAIM_WAIT_MS at most when Redis is slower, and the claim still lands', async () => {
    vi.stubEnv('AAEP_HUB_CLAIM_WAIT_MS', '50');
    const [a, b] = await threeReceivers();
    const slow = await startTestReceiver({ hubUrl: await slowRedis(600) });
    cleanups.push(() => slow.close());
    await slow.backend.ready();
    const onA = await listen(a);
    const deciding = agentAsking(a, b);
    await onA.waitFor(asked);
    const token = String(onA.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    expect((await reply(slow, token, 'accept')).status).toBe(204);
    // Answered at the bound, before the claim reached Redis: nothing is decided yet.
    const early = await fetch(`${b.url}/aaep/v1/decisions/${token}`);
    expect(early.status).toBe(204);
    await early.body?.cancel();
    expect(await deciding).toMatchObject({ decision: 'accept', by: 'user' });
  }, 30_000);

  it('lets exactly one of two replies sent at once to two instances win', async () => {
    const [a, b, c] = await threeReceivers();
    const onA = await listen(a);
    const deciding = agentAsking(a, b);
    await onA.waitFor(asked);
    const token = String(onA.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    await Promise.all([reply(c, token, 'accept'), reply(a, token, 'reject')]);
    const decision = await deciding;
    expect(['accept', 'reject']).toContain(decision.decision);
    expect(decision.by).toBe('user');
    const stored = await fetch(`${c.url}/aaep/v1/decisions/${token}`);
    expect(((await stored.json()) as { reply: { decision: string } }).reply.decision).toBe(decision.decision);
  }, 30_000);

  it('ignores a reply that arrives on another instance after the question expired', async () => {
    const [a, b, c] = await threeReceivers();
    const onA = await listen(a);
    const deciding = agentAsking(a, b, 1);
    await onA.waitFor(asked);
    const token = String(onA.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await reply(c, token, 'accept');
    const decision = await deciding;
    expect(decision.decision).toBe('reject');
    expect(decision.by).not.toBe('user');
    // What the store holds for the token is the session's end, not the late reply.
    const stored = await fetch(`${b.url}/aaep/v1/decisions/${token}`);
    expect(stored.status === 204 || !('reply' in ((await stored.json()) as object))).toBe(true);
  }, 30_000);
});
