/**
 * Per-user streams and replies through receivers sharing a real Redis: an agent exports
 * to receiver A and polls B for its answers; Alice and Bob listen on C. Each hears only
 * their own session, resume on another receiver stays scoped, and Bob's reply to Alice's
 * confirmation, sent to any receiver, has no effect while hers does.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../collector/startReceiver.js';
import type { ConfirmDecision } from '../../src/agent/confirm.js';
import { confirmationReply } from '../helpers/harness.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { payingAgent } from '../helpers/remoteAgent.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { connectSse, sessionDone, type SseClient, type WireEvent } from '../helpers/sseClient.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const redis = useRedisServer();
const OPERATOR = 'operator-token';
const INGEST = 'ingest-token';
const TOKENS = { 'alice-token': 'alice', 'bob-token': 'bob' };
const bearer = (credential: string) => ({ Authorization: `Bearer ${credential}` });

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function threeReceivers(): Promise<[Receiver, Receiver, Receiver]> {
  const receivers = await Promise.all(
    [0, 1, 2].map(() => startTestReceiver({ hubUrl: redis.url, token: OPERATOR, ingestToken: INGEST, listeners: { tokens: TOKENS } })),
  );
  for (const receiver of receivers) {
    cleanups.push(() => receiver.close());
    await receiver.backend.ready();
  }
  return receivers as [Receiver, Receiver, Receiver];
}

/** An agent in "another process" working for `user`: spans to `exportTo`, answers polled at `pollAt`. */
function agentFor(user: string, exportTo: Receiver, pollAt: Receiver): Promise<ConfirmDecision> {
  return payingAgent({
    exportTo: exportTo.url,
    pollAt: pollAt.url,
    ingestToken: INGEST,
    cleanups,
    sessionAttributes: { 'aaep.session.request': `Pay the rent of ${user}`, 'enduser.id': user },
    toolAttributes: { 'aaep.tool.irreversible': true },
  });
}

async function listen(receiver: Receiver, credential: string, lastEventId?: string): Promise<SseClient> {
  const client = await connectSse(`${receiver.url}/aaep/v1/events`, { headers: bearer(credential), ...(lastEventId !== undefined && { lastEventId }) });
  cleanups.push(() => client.close());
  return client;
}

function reply(receiver: Receiver, credential: string, token: string, decision: string): Promise<Response> {
  return fetch(`${receiver.url}/aaep/v1/replies`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...bearer(credential) },
    body: JSON.stringify(confirmationReply(token, decision)),
  });
}

const asked = (events: WireEvent[]) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation');
const sessionsIn = (events: WireEvent[]) => [...new Set(events.map((e) => e.session_id))];

describe('per-user streams across receivers sharing Redis', () => {
  it('scopes the stream, resume and replies of each user, whichever receiver they use', async () => {
    const [a, b, c] = await threeReceivers();
    const alice = await listen(c, 'alice-token');
    const bob = await listen(c, 'bob-token');
    const operator = await listen(b, OPERATOR);
    const alicesAgent = agentFor('alice', a, b);
    const bobsAgent = agentFor('bob', a, b);
    await alice.waitFor(asked);
    await bob.waitFor(asked);
    await operator.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.awaiting.confirmation').length === 2);
    expect(sessionsIn(alice.events)).toHaveLength(1);
    expect(sessionsIn(bob.events)).toHaveLength(1);
    expect(sessionsIn(alice.events)).not.toEqual(sessionsIn(bob.events));
    expect(sessionsIn(operator.events).sort()).toEqual([...sessionsIn(alice.events), ...sessionsIn(bob.events)].sort());

    const alicesQuestion = alice.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;
    const token = String(alicesQuestion.reply_token);
    // Bob's accept, on the receiver that asked and on another: 204 and no effect.
    expect((await reply(a, 'bob-token', token, 'accept')).status).toBe(204);
    expect((await reply(c, 'bob-token', token, 'accept')).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stored = await fetch(`${b.url}/aaep/v1/decisions/${token}`, { headers: bearer(INGEST) });
    expect(stored.status).toBe(204);
    await stored.body?.cancel();
    // Alice's own reject, on a third receiver, is the one the agent gets.
    expect((await reply(c, 'alice-token', token, 'reject')).status).toBe(204);
    expect(await alicesAgent).toMatchObject({ decision: 'reject', by: 'user' });
    const bobsToken = String(bob.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    expect((await reply(b, 'bob-token', bobsToken, 'accept')).status).toBe(204);
    expect(await bobsAgent).toMatchObject({ decision: 'accept', by: 'user' });
    await alice.waitFor(sessionDone());
    await bob.waitFor(sessionDone());
    expect(sessionsIn(alice.events)).toHaveLength(1);
    expect(sessionsIn(bob.events)).toHaveLength(1);

    // Resume on another receiver: after her own event, only her session; after Bob's, nothing of his.
    const resumed = await listen(b, 'alice-token', alice.events[0]!.event_id);
    await resumed.waitFor(sessionDone());
    expect(resumed.events.map((e) => e.event_id)).toEqual(alice.events.slice(1).map((e) => e.event_id));
    const withBobsId = await listen(a, 'alice-token', bob.events[0]!.event_id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(withBobsId.events.filter((e) => sessionsIn(bob.events).includes(e.session_id))).toEqual([]);
  }, 40_000);
});
