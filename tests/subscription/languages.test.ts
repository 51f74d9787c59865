/**
 * Languages (spec §5.3.1.3, §11.2): a subscription hears aaep-otel's own phrases in the
 * first of its languages we have, over SSE and WebSocket, from a real traced agent; the
 * agent's own words and every other stream stay as they were.
 */
import type { Tracer } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscribe, type AaepEvent, type SubscriptionAccepted, type WebSocketConstructor } from '../../src/client/index.js';
import { confirm, type ConfirmDecision } from '../../src/index.js';
import { confirmationReply, startHarness, type Harness } from '../helpers/harness.js';
import { listen, listenSse, request, type Listener, type TransportName } from '../helpers/aaepListener.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

let harness: Harness | undefined;
const listeners: Listener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) listener.close();
  await harness?.close();
  harness = undefined;
});

async function negotiated(h: Harness, transport: TransportName, languages: string[]): Promise<Listener> {
  const listener = await listen(transport, h.server.url);
  listeners.push(listener);
  const answer = await listener.send(request({ languages, supports_confirmation_reply: true }));
  expect(answer.body).toMatchObject({ type: 'subscription.accepted' });
  await listener.waitFor((l) => l.answers.length === 1);
  return listener;
}

/** A turn: a request, a search with arguments, a sentence of answer, then (optionally) a confirmed send. */
function turn(tracer: Tracer, ask = false): Promise<ConfirmDecision | undefined> {
  return tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Book a table for two' } }, async (session) => {
    tracer.startActiveSpan(
      'search',
      { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'search_web', 'aaep.tool.arguments': JSON.stringify({ query: 'Oslo', seats: [1, 2] }) } },
      (tool) => tool.end(),
    );
    const llm = tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat' } });
    llm.addEvent('aaep.output.chunk', { 'aaep.output.text': 'Here is a table at eight.' });
    llm.end();
    let decision: ConfirmDecision | undefined;
    if (ask) {
      decision = await tracer.startActiveSpan('book', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'book_table', 'aaep.tool.requires_confirmation': true } }, async (tool) => {
        const d = await confirm(tool, { action: 'Book the table at eight', consequence: 'The restaurant holds it for you.', riskLevel: 'low', timeoutSeconds: 60 });
        tool.end();
        return d;
      });
    }
    session.end();
    return decision;
  });
}

const byType = (events: readonly WireEvent[], type: string) => events.filter((e) => e.type === `aaep:agent.${type}`);
const phrased = (e: WireEvent) => typeof e.summary_normal === 'string' && e.type !== 'aaep:agent.output.streaming';

describe.each(['sse', 'ws'] as const)('languages over %s', (transport) => {
  it('says our phrases in the first language we have (fr-CA → French), with localization_hints saying so, and leaves the agent\'s words and other streams as they were', async () => {
    harness = await startHarness();
    const h = harness;
    const listener = await negotiated(h, transport, ['yo-NG', 'fr-CA', 'en']);
    expect(listener.answers[0]?.honored_capabilities).toMatchObject({ languages: ['fr-CA', 'en'] });
    await turn(h.tracer);
    await listener.waitFor((l) => sessionDone()(l.events));
    await h.client.waitFor(sessionDone());
    const french = listener.events;
    const english = h.client.events;
    expectLegalStream(french);
    // The same events, one for one: only the words we wrote differ.
    expect(french.map((e) => [e.event_id, e.type, e.sequence_number])).toEqual(english.map((e) => [e.event_id, e.type, e.sequence_number]));

    const [startedFr] = byType(french, 'session.started');
    const [startedEn] = byType(english, 'session.started');
    expect(startedEn).toMatchObject({ summary_terse: 'Started.', summary_normal: 'Test agent is working on your request: Book a table for two', localization_hints: { primary_language: 'en' } });
    expect(startedFr).toMatchObject({
      summary_terse: 'Démarré.',
      summary_normal: 'Test agent traite votre demande\u202f: Book a table for two',
      request_text: 'Book a table for two',
      localization_hints: { primary_language: 'fr' },
    });
    const [invokedFr] = byType(french, 'tool.invoked');
    expect(invokedFr).toMatchObject({ tool: 'search_web', summary_terse: 'Utilisation de l\'outil\u202f: search web.', args_summary: 'query: Oslo, seats: 2 éléments' });
    expect(byType(english, 'tool.invoked')[0]).toMatchObject({ summary_terse: 'Using search web.', args_summary: 'query: Oslo, seats: 2 items' });
    expect(byType(french, 'session.completed')[0]).toMatchObject({ summary_terse: 'Terminé.' });
    // The model's text is never translated, and carries the session's own language.
    expect(byType(french, 'output.streaming').map((e) => [e.chunk, e.localization_hints])).toEqual(byType(english, 'output.streaming').map((e) => [e.chunk, e.localization_hints]));
    for (const e of french.filter(phrased)) expect(e.localization_hints).toMatchObject({ primary_language: 'fr' });
  });

  it('switches to the renegotiated language from the next event on', async () => {
    harness = await startHarness();
    const h = harness;
    const listener = await negotiated(h, transport, ['fr']);
    const done = turn(h.tracer, true);
    await listener.waitFor((l) => l.events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
    const question = byType(listener.events, 'awaiting.confirmation')[0]!;
    expect(question.summary_terse).toBe('Confirmer\u202f: Book the table at eight\u202f?');
    const answer = await listener.send({ type: 'subscription.renegotiate', subscription_id: listener.subscriptionId, capabilities: { languages: ['de-AT'] } });
    expect(answer.body).toMatchObject({ type: 'subscription.accepted', honored_capabilities: { languages: ['de-AT'] } });
    await listener.waitFor((l) => l.answers.length === 2);
    const reply = await h.post('/aaep/v1/replies', confirmationReply(String(question.reply_token), 'accept', { subscription_id: listener.subscriptionId }));
    expect(reply.status).toBe(204);
    await expect(done).resolves.toMatchObject({ decision: 'accept', by: 'user' });
    await listener.waitFor((l) => sessionDone()(l.events));

    const switchedAt = listener.items.findIndex((item) => item.kind === 'answer' && item !== listener.items.find((i) => i.kind === 'answer'));
    const before = listener.items.slice(0, switchedAt).flatMap((i) => (i.kind === 'event' ? [i.event] : [])).filter(phrased);
    const after = listener.items.slice(switchedAt).flatMap((i) => (i.kind === 'event' ? [i.event] : [])).filter(phrased);
    expect(before.length).toBeGreaterThan(3);
    expect(after.length).toBeGreaterThan(2);
    for (const e of before) expect(e.localization_hints).toMatchObject({ primary_language: 'fr' });
    for (const e of after) expect(e.localization_hints).toMatchObject({ primary_language: 'de' });
    expect(byType(after, 'tool.invoked').map((e) => e.summary_terse)).toEqual(['Verwendet das Werkzeug book table.']);
    expect(byType(after, 'session.completed')[0]).toMatchObject({ summary_terse: 'Fertig.' });
    expectLegalStream(listener.events);
  });
});

describe('languages for a listener who arrives late', () => {
  it('re-sends the open question in the negotiated language when the stream was negotiated before it opened', async () => {
    harness = await startHarness();
    const h = harness;
    const done = turn(h.tracer, true);
    await h.client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
    const negotiation = await h.post('/aaep/v1/subscriptions', request({ languages: ['es-419'], supports_confirmation_reply: true }));
    expect(negotiation.status).toBe(201);
    const { subscription_id: id } = (await negotiation.json()) as { subscription_id: string };
    const late = await listenSse(h.server.url, { query: `?subscription_id=${id}` });
    listeners.push(late);
    await late.waitFor((l) => l.events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
    const [question] = byType(late.events, 'awaiting.confirmation');
    expect(question).toMatchObject({ summary_terse: '¿Confirmar: Book the table at eight?', action: 'Book the table at eight', localization_hints: { primary_language: 'es' } });
    expect(byType(late.events, 'session.started')[0]).toMatchObject({ summary_terse: 'En marcha.' });
    await h.post('/aaep/v1/replies', confirmationReply(String(question!.reply_token), 'reject', { subscription_id: id }));
    await expect(done).resolves.toMatchObject({ decision: 'reject' });
  });
});

describe.each(['sse', 'websocket'] as const)('aaep-otel/client over %s', (transport) => {
  it('hears even the catch-up of a session under way in its language: it negotiates before the stream opens', async () => {
    harness = await startHarness();
    const h = harness;
    const done = turn(h.tracer, true);
    await h.client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
    const heard: AaepEvent[] = [];
    const accepted: SubscriptionAccepted[] = [];
    const client = subscribe(h.server.url, {
      transport,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      capabilities: { languages: ['de-CH'], supports_confirmation_reply: true },
      onNegotiated: (answer) => accepted.push(answer),
      onEvent: (event) => heard.push(event),
    });
    try {
      await expect.poll(() => heard.some((e) => e.type === 'aaep:agent.awaiting.confirmation')).toBe(true);
      expect(accepted.map((a) => a.honored_capabilities.languages)).toEqual([['de-CH']]);
      expect(heard[0]).toMatchObject({ type: 'aaep:agent.session.started', summary_terse: 'Gestartet.', localization_hints: { primary_language: 'de' } });
      const question = heard.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;
      expect(question).toMatchObject({ summary_terse: 'Bestätigen: Book the table at eight?' });
      await h.post('/aaep/v1/replies', confirmationReply(String((question as { reply_token: string }).reply_token), 'accept'));
      await expect(done).resolves.toMatchObject({ decision: 'accept' });
    } finally {
      client.close();
    }
  });
});

describe('a confirmation\'s countdown', () => {
  it('is said in the listener\'s language, from the question the span is asking', async () => {
    harness = await startHarness();
    const h = harness;
    const listener = await negotiated(h, 'sse', ['fr']);
    const decided = h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, async (session) => {
      const d = await h.tracer.startActiveSpan('send', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'send_email', 'aaep.tool.requires_confirmation': true } }, async (tool) => {
        const decision = await confirm(tool, { action: 'Send the email.', consequence: 'Ada gets it.', timeoutSeconds: 2 });
        tool.end();
        return decision;
      });
      session.end();
      return d;
    });
    await expect(decided).resolves.toMatchObject({ by: 'timeout' });
    await listener.waitFor((l) => sessionDone()(l.events));
    await h.client.waitFor(sessionDone());
    expect(byType(listener.events, 'progress.updated').map((e) => e.summary_normal)).toEqual([
      'Il reste 1 seconde pour confirmer\u202f: Send the email, 50 pour cent.',
      'Il reste 1 seconde pour confirmer\u202f: Send the email, 90 pour cent.',
    ]);
    expect(byType(h.client.events, 'progress.updated').map((e) => e.summary_normal)).toEqual([
      '1 second left to confirm: Send the email, 50 percent.',
      '1 second left to confirm: Send the email, 90 percent.',
    ]);
  });
});
