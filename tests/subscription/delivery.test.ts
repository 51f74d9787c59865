import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHarness, confirmationReply, type Harness } from '../helpers/harness.js';
import { listen, request, type Listener, type TransportName } from '../helpers/aaepListener.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { busyTurn } from './busyAgent.js';

const CRITICAL = /^aaep:agent\.(session\.errored|awaiting\.confirmation|awaiting\.clarification|handoff\.requested)$/;
const isCritical = (e: WireEvent) => e.urgency === 'critical' || CRITICAL.test(e.type);

let harness: Harness | undefined;
const listeners: Listener[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const listener of listeners.splice(0)) listener.close();
  await harness?.close();
  harness = undefined;
});

async function negotiated(transport: TransportName, capabilities: Record<string, unknown>): Promise<{ h: Harness; listener: Listener }> {
  harness = await startHarness();
  const listener = await listen(transport, harness.server.url);
  listeners.push(listener);
  const answer = await listener.send(request({ supports_confirmation_reply: true, ...capabilities }));
  expect(answer.body ?? listener.answers[0]).toMatchObject({ type: 'subscription.accepted' });
  await listener.waitFor((l) => l.answers.length === 1);
  return { h: harness, listener };
}

/** Answers the first confirmation the listener hears, as a user would. */
async function acceptWhenAsked(h: Harness, listener: Listener): Promise<void> {
  await listener.waitFor((l) => l.events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'), 20_000);
  const token = String(listener.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
  const reply = confirmationReply(token, 'accept', { subscription_id: listener.subscriptionId });
  await listener.send(reply);
}

function outputs(events: readonly WireEvent[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const e of events) if (e.type === 'aaep:agent.output.streaming') texts.set(String(e.output_id), (texts.get(String(e.output_id)) ?? '') + String(e.chunk));
  return texts;
}

describe.each(['sse', 'ws'] as const)('per-subscription delivery over %s', (transport) => {
  it('holds a 30 events/s session to about one non-critical item a second, passes the confirmation at once, and loses no output text', async () => {
    const { h, listener } = await negotiated(transport, { max_events_per_second: 1 });
    const started = performance.now();
    const turn = busyTurn(h.tracer);
    await acceptWhenAsked(h, listener);
    await expect(turn.done).resolves.toMatchObject({ decision: 'accept', by: 'user' });
    await h.client.waitFor(sessionDone());
    const producedIn = performance.now() - started;
    const all = h.client.events;
    // The agent really produced ~30 events a second (generous: at least 15).
    expect(all.length / (producedIn / 1000)).toBeGreaterThan(15);

    const confirmationAt = listener.items.find((i) => i.kind === 'event' && i.event.type === 'aaep:agent.awaiting.confirmation')!.at;
    const heardBefore = listener.items.filter((i) => i.kind === 'event' && i.at < confirmationAt && !isCritical(i.event)).length;
    // Held to the budget until the question, which did not wait behind the held backlog.
    expect(heardBefore).toBeLessThanOrEqual(Math.ceil((confirmationAt - started) / 1000) + 8);

    await listener.waitFor((l) => sessionDone()(l.events), 40_000);
    const endedAt = performance.now();
    const nonCritical = listener.events.filter((e) => !isCritical(e)).length;
    expect(nonCritical).toBeLessThanOrEqual(Math.ceil((endedAt - started) / 1000) + 10);
    expect(listener.events.length).toBeLessThan(all.length / 3);
    // Coalesced, not lost: every output's whole text, and a legal, renumbered stream.
    expect(outputs(listener.events)).toEqual(outputs(all));
    expect(listener.events.filter(isCritical).map((e) => e.event_id)).toEqual(all.filter(isCritical).map((e) => e.event_id));
    expectLegalStream(listener.events);
    expect(listener.events.at(-1)?.event_id).toBe(all.at(-1)?.event_id);
  }, 60_000);

  it('delivers a confirmation to a subscriber whose filter excludes tools, and no tool event besides', async () => {
    const { h, listener } = await negotiated(transport, { event_filters: { exclude: ['aaep:agent.tool.*'] } });
    const turn = busyTurn(h.tracer, 0.4);
    await acceptWhenAsked(h, listener);
    await turn.done;
    await listener.waitFor((l) => sessionDone()(l.events));
    expect(h.client.events.some((e) => e.type.startsWith('aaep:agent.tool.'))).toBe(true);
    expect(listener.events.filter((e) => e.type.startsWith('aaep:agent.tool.'))).toEqual([]);
    expect(listener.events.filter((e) => e.type === 'aaep:agent.awaiting.confirmation')).toHaveLength(1);
    expect(outputs(listener.events)).toEqual(outputs(h.client.events));
  });

  it('delivers only the included types, and critical events regardless', async () => {
    const { h, listener } = await negotiated(transport, { event_filters: { include: ['aaep:agent.session.*'] } });
    const turn = busyTurn(h.tracer, 0.2);
    await acceptWhenAsked(h, listener);
    await turn.done;
    await listener.waitFor((l) => sessionDone()(l.events));
    expect(listener.events.map((e) => e.type)).toEqual(['aaep:agent.session.started', 'aaep:agent.awaiting.confirmation', 'aaep:agent.session.completed']);
    expect(listener.events.map((e) => e.sequence_number)).toEqual([0, 1, 2]);
  });

  it('gives a completion-only subscriber each output as one whole chunk', async () => {
    const { h, listener } = await negotiated(transport, { coalesce_boundaries: ['completion'] });
    const turn = busyTurn(h.tracer, 0.4);
    await acceptWhenAsked(h, listener);
    await turn.done;
    await listener.waitFor((l) => sessionDone()(l.events));
    const chunks = listener.events.filter((e) => e.type === 'aaep:agent.output.streaming');
    expect(chunks.length).toBe(outputs(h.client.events).size);
    for (const chunk of chunks) expect(chunk).toMatchObject({ complete: true, position: 0, coalesce_hint: 'completion' });
    expect(outputs(listener.events)).toEqual(outputs(h.client.events));
    expectLegalStream(listener.events);
  });

  it('applies a renegotiated rate to what it holds: lifting it releases the backlog at once', async () => {
    const { h, listener } = await negotiated(transport, { max_events_per_second: 1 });
    h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, (session) => {
      for (let i = 0; i < 8; i++) h.tracer.startActiveSpan(`tool ${i}`, { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': `tool_${i}` } }, (tool) => tool.end());
      session.end();
    });
    await h.client.waitFor(sessionDone());
    // At one a second the held tool events alone would take more than 16 s.
    expect(h.client.events.filter((e) => e.type.startsWith('aaep:agent.tool.')).length).toBe(16);
    await listener.waitFor((l) => l.events.length >= 1);
    await listener.send({ type: 'subscription.renegotiate', subscription_id: listener.subscriptionId, capabilities: { max_events_per_second: 1000 } });
    await listener.waitFor((l) => sessionDone()(l.events), 5_000);
    expect(listener.events.filter((e) => e.type.startsWith('aaep:agent.tool.')).map((e) => e.event_id)).toEqual(
      h.client.events.filter((e) => e.type.startsWith('aaep:agent.tool.')).map((e) => e.event_id),
    );
    expectLegalStream(listener.events);
  });

  it('disconnects a subscriber that holds more than AAEP_SUBSCRIPTION_HELD_EVENTS items rather than drop any', async () => {
    vi.stubEnv('AAEP_SUBSCRIPTION_HELD_EVENTS', '5');
    const { h, listener } = await negotiated(transport, { max_events_per_second: 1 });
    h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, (session) => {
      for (let i = 0; i < 10; i++) h.tracer.startActiveSpan(`tool ${i}`, { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': `tool_${i}` } }, (tool) => tool.end());
      session.end();
    });
    await h.client.waitFor(sessionDone());
    await listener.ended;
    expect(listener.events.length).toBeLessThan(h.client.events.length);
    // What did arrive is the stream's beginning, in order: a reconnect resumes after its last id.
    expect(listener.events.map((e) => e.event_id)).toEqual(h.client.events.slice(0, listener.events.length).map((e) => e.event_id));
  });
});
