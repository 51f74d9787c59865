/**
 * Questions nobody can answer (spec §5.8.2, §5.3.1.4): a confirmation whose only listener
 * closes its subscription, or whose listeners all declared they cannot answer, takes its
 * default decision at once instead of holding the agent until the deadline.
 */
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { confirm, type ConfirmDecision } from '../../src/index.js';
import { AaepSignalProcessor } from '../../src/sources/AaepSignalProcessor.js';
import { confirmationReply, startHarness, type Harness } from '../helpers/harness.js';
import { listen, request, type Listener, type TransportName } from '../helpers/aaepListener.js';
import { sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { startTestReceiver } from '../helpers/receiver.js';

const DEADLINE_SECONDS = 120;

let harness: Harness | undefined;
const listeners: Listener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) listener.close();
  await harness?.close();
  harness = undefined;
});

/** A harness whose own (un-negotiated, able to answer) stream is gone, so only the test's listeners hear. */
async function quietHarness(): Promise<Harness> {
  harness = await startHarness();
  harness.client.close();
  const hub = harness.aaep.hub;
  while (hub.subscriberCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  return harness;
}

async function negotiated(h: Harness, transport: TransportName, capabilities: Record<string, unknown>): Promise<Listener> {
  const listener = await listen(transport, h.server.url);
  listeners.push(listener);
  const answer = await listener.send(request(capabilities));
  expect(answer.body).toMatchObject({ type: 'subscription.accepted' });
  await listener.waitFor((l) => l.answers.length === 1);
  return listener;
}

function sendTurn(tracer: Tracer): Promise<ConfirmDecision> {
  return tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Email the report' } }, async (session) => {
    const decision = await tracer.startActiveSpan('send', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'send_email', 'aaep.tool.requires_confirmation': true } }, async (tool) => {
      const d = await confirm(tool, { action: 'Send the report', consequence: 'It goes to the whole team.', timeoutSeconds: DEADLINE_SECONDS });
      tool.end();
      return d;
    });
    session.end();
    return decision;
  });
}

const asked = (l: Listener) => l.events.some((e) => e.type === 'aaep:agent.awaiting.confirmation');

describe.each(['sse', 'ws'] as const)('questions nobody can answer, over %s', (transport) => {
  it('applies the default decision at once when the only listener that could answer closes its subscription', async () => {
    const h = await quietHarness();
    const listener = await negotiated(h, transport, { supports_confirmation_reply: true });
    const started = Date.now();
    const turn = sendTurn(h.tracer);
    await listener.waitFor(asked);
    await listener.send({ type: 'subscription.close', subscription_id: listener.subscriptionId, reason_code: 'subscriber_shutdown' });
    await expect(turn).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    expect(Date.now() - started).toBeLessThan((DEADLINE_SECONDS / 2) * 1000);
  });

  it('keeps waiting while another listener can still answer, and takes that answer', async () => {
    const h = await quietHarness();
    const leaving = await negotiated(h, transport, { supports_confirmation_reply: true });
    const staying = await negotiated(h, transport, { supports_confirmation_reply: true });
    const turn = sendTurn(h.tracer);
    await staying.waitFor(asked);
    await leaving.waitFor(asked);
    await leaving.send({ type: 'subscription.close', subscription_id: leaving.subscriptionId });
    await leaving.ended;
    const question = staying.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;
    await staying.send(confirmationReply(String(question.reply_token), 'accept', { subscription_id: staying.subscriptionId }));
    await expect(turn).resolves.toEqual({ decision: 'accept', by: 'user' });
  });

  it('does not send a confirmation to a listener that declared it cannot answer, and with only such listeners takes the default at once', async () => {
    const h = await quietHarness();
    const listener = await negotiated(h, transport, { supports_confirmation_reply: false });
    expect(listener.answers[0]?.negotiation_notes).toContain('§5.3.1.4');
    const turn = sendTurn(h.tracer);
    await expect(turn).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    await listener.waitFor((l) => sessionDone()(l.events));
    expect(listener.events.map((e) => e.type)).not.toContain('aaep:agent.awaiting.confirmation');
    expect(listener.events.find((e) => e.type === 'aaep:agent.state.changed' && e.from_state === 'awaiting_input')).toMatchObject({ summary_normal: 'No answer in time, so not doing it: Send the report.' });
    expectLegalStream(listener.events);
  });
});

describe('a dropped connection', () => {
  it('is not a close: the question keeps waiting for a listener who comes back', async () => {
    const h = await quietHarness();
    const first = await negotiated(h, 'sse', { supports_confirmation_reply: true });
    const turn = sendTurn(h.tracer);
    await first.waitFor(asked);
    first.close();
    await first.ended;
    while (h.aaep.hub.subscriberCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const back = await listen('sse', h.server.url);
    listeners.push(back);
    await back.waitFor(asked);
    const question = back.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;
    expect((await h.post('/aaep/v1/replies', confirmationReply(String(question.reply_token), 'accept'))).status).toBe(204);
    await expect(turn).resolves.toEqual({ decision: 'accept', by: 'user' });
  });
});

describe('an agent in another process', () => {
  it('gets the default at once when the receiver\'s only listener closes its subscription', async () => {
    const receiver = await startTestReceiver({ token: 'listen', ingestToken: 'ingest' });
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new AaepSignalProcessor({
          exporter: new ProtoExporter({ url: `${receiver.url}/v1/traces`, headers: { Authorization: 'Bearer ingest' } }),
          receiverUrl: receiver.url,
          token: 'ingest',
          delayMs: 10,
        }),
      ],
    });
    try {
      const listener = await listen('sse', receiver.url, { headers: { Authorization: 'Bearer listen' } });
      listeners.push(listener);
      await listener.send(request({ supports_confirmation_reply: true }));
      await listener.waitFor((l) => l.answers.length === 1);
      const started = Date.now();
      const turn = sendTurn(provider.getTracer('agent'));
      await listener.waitFor(asked, 15_000);
      await listener.send({ type: 'subscription.close', subscription_id: listener.subscriptionId });
      await expect(turn).resolves.toEqual({ decision: 'reject', by: 'timeout' });
      expect(Date.now() - started).toBeLessThan((DEADLINE_SECONDS / 2) * 1000);
    } finally {
      await provider.shutdown();
      await receiver.close();
    }
  });
});
