/**
 * Languages through receivers sharing a real Redis: an agent exports to receiver A; on
 * receiver B a French listener hears A's translation in French (the phrases travel in
 * the stream entry), a plain listener hears the English bytes, and a French listener who
 * arrives at A while the question is open is re-sent it in French.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../collector/startReceiver.js';
import { confirmationReply } from '../helpers/harness.js';
import { listenSse, request, type Listener } from '../helpers/aaepListener.js';
import { payingAgent } from '../helpers/remoteAgent.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { connectSse, sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const redis = useRedisServer();
const OPERATOR = 'operator-token';
const INGEST = 'ingest-token';
const bearer = { Authorization: `Bearer ${OPERATOR}` };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function french(receiver: Receiver, query?: string): Promise<Listener> {
  const listener = await listenSse(receiver.url, { headers: bearer, ...(query !== undefined && { query }) });
  cleanups.push(() => listener.close());
  return listener;
}

const question = (events: readonly WireEvent[]) => events.find((e) => e.type === 'aaep:agent.awaiting.confirmation');

describe('languages across receivers sharing Redis', () => {
  it('says one receiver\'s translation in each listener\'s language on another, and a late listener\'s catch-up too', async () => {
    const [a, b] = await Promise.all([0, 1].map(() => startTestReceiver({ hubUrl: redis.url, token: OPERATOR, ingestToken: INGEST })));
    for (const receiver of [a!, b!]) {
      cleanups.push(() => receiver.close());
      await receiver.backend.ready();
    }
    const live = await french(b!);
    expect((await live.send(request({ languages: ['fr-BE'], supports_confirmation_reply: true }))).body).toMatchObject({ type: 'subscription.accepted' });
    const plain = await connectSse(`${b!.url}/aaep/v1/events`, { headers: bearer });
    cleanups.push(() => plain.close());

    const decision = payingAgent({ exportTo: a!.url, pollAt: b!.url, ingestToken: INGEST, cleanups });
    await live.waitFor((l) => question(l.events) !== undefined, 15_000);
    await plain.waitFor((events) => question(events) !== undefined);
    expect(question(live.events)).toMatchObject({ summary_terse: 'Confirmer\u202f: Pay 900 NOK\u202f?', consequence: 'The money leaves now.', localization_hints: { primary_language: 'fr' } });
    expect(question(plain.events)).toMatchObject({ summary_terse: 'Confirm: Pay 900 NOK?', localization_hints: { primary_language: 'en' } });

    // Arriving now at the receiver translating it, negotiated ahead: where the session stands, in French.
    const negotiated = await fetch(`${a!.url}/aaep/v1/subscriptions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer },
      body: JSON.stringify(request({ languages: ['fr'], supports_confirmation_reply: true })),
    });
    const { subscription_id: id } = (await negotiated.json()) as { subscription_id: string };
    const late = await french(a!, `?subscription_id=${id}`);
    await late.waitFor((l) => question(l.events) !== undefined);
    expect(late.events.find((e) => e.type === 'aaep:agent.session.started')).toMatchObject({ summary_terse: 'Démarré.' });
    expect(question(late.events)).toMatchObject({ summary_terse: 'Confirmer\u202f: Pay 900 NOK\u202f?', reply_token: question(plain.events)!.reply_token });

    const replied = await fetch(`${b!.url}/aaep/v1/replies`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...bearer },
      body: JSON.stringify(confirmationReply(String(question(late.events)!.reply_token), 'accept', { subscription_id: id })),
    });
    expect(replied.status).toBe(204);
    expect(await decision).toMatchObject({ decision: 'accept', by: 'user' });
    await live.waitFor((l) => sessionDone()(l.events), 15_000);
    await plain.waitFor(sessionDone());
    expectLegalStream(live.events);
    expect(live.events.map((e) => e.event_id)).toEqual(plain.events.map((e) => e.event_id));
    expect(live.events.find((e) => e.type === 'aaep:agent.session.completed')).toMatchObject({ summary_terse: 'Terminé.' });
  }, 40_000);
});
