import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { clarify, confirm, type ConfirmDecision } from '../../src/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startRemoteAgent } from '../helpers/remoteAgent.js';
import { sessionDone, type SseClient, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Exactly what the AAEP project's CLI debugger, NVDA add-on and web subscriber send. */
const clientConfirmation = (token: string, decision: string) => ({ type: 'confirmation.reply', reply_token: token, decision, timestamp: new Date().toISOString() });
const clientClarification = (token: string, response: unknown) => ({ type: 'clarification.reply', reply_token: token, response, timestamp: new Date().toISOString() });

const FORGED_TOKEN = 'rpl_0123456789abcdef0123456789abcdef';

/** A session whose irreversible tool asks first and runs only on accept. */
function irreversibleTurn(tracer: Tracer, timeoutSeconds = 60): Promise<ConfirmDecision> {
  return tracer.startActiveSpan('invoke_agent pay', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': 'Pay the rent' } }, async (session) => {
    const decision = await tracer.startActiveSpan('execute_tool transfer_money', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer_money', 'aaep.tool.irreversible': true, 'aaep.tool.risk_level': 'high' } }, async (tool) => {
      const answer = await confirm(tool, { action: 'Pay 900 NOK rent', consequence: 'The money cannot be recalled.', timeoutSeconds });
      tool.end();
      return answer;
    });
    session.end();
    return decision;
  });
}

const awaitingConfirmation = (events: WireEvent[]) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation');
const tokenIn = (client: SseClient, type = 'aaep:agent.awaiting.confirmation') => String(client.events.find((e) => e.type === type)!.reply_token);

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

describe('replies without subscription_id, as the AAEP clients send them', () => {
  it('honours a confirmation.reply of type, reply_token, decision and timestamp: confirm() gets accept', async () => {
    const h = await harness();
    const decision = irreversibleTurn(h.tracer);
    await h.client.waitFor(awaitingConfirmation);
    const response = await h.post('/aaep/v1/replies', clientConfirmation(tokenIn(h.client), 'accept'));
    expect(response.status).toBe(204);
    await expect(decision).resolves.toEqual({ decision: 'accept', by: 'user' });
    await h.client.waitFor(sessionDone());
    expectLegalStream(h.client.events);
    expect(h.client.events.map((e) => e.type)).toContain('aaep:agent.tool.invoked');
  });

  it('honours a clarification.reply of type, reply_token, response and timestamp on /aaep/v1/messages', async () => {
    const h = await harness();
    const answer = h.tracer.startActiveSpan('invoke_agent ask', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }, async (session) => {
      const result = await clarify(session, { question: 'Which city?', freeText: true });
      session.end();
      return result;
    });
    await h.client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.clarification'));
    const response = await h.post('/aaep/v1/messages', clientClarification(tokenIn(h.client, 'aaep:agent.awaiting.clarification'), 'Oslo'));
    expect(response.status).toBe(204);
    await expect(answer).resolves.toMatchObject({ response: 'Oslo', by: 'user' });
    await h.client.waitFor(sessionDone());
    expectLegalStream(h.client.events);
  });

  it('answers a reply with a bad token 204 and changes nothing: the question stays open and the right answer still counts', async () => {
    const h = await harness();
    const decision = irreversibleTurn(h.tracer);
    await h.client.waitFor(awaitingConfirmation);
    const token = tokenIn(h.client);
    const seen = h.client.events.length;
    const forged = await h.post('/aaep/v1/replies', clientConfirmation(FORGED_TOKEN, 'accept'));
    expect(forged.status).toBe(204);
    expect(await forged.text()).toBe('');
    expect(h.aaep.replies.has(token)).toBe(true);
    expect(h.client.events.length).toBe(seen);
    await h.post('/aaep/v1/replies', clientConfirmation(token, 'reject'));
    await expect(decision).resolves.toEqual({ decision: 'reject', by: 'user' });
  });

  it('refuses them with the generic 400 when requireSubscriptionId is set, and leaves the question open', async () => {
    const h = await harness({ requireSubscriptionId: true });
    const decision = irreversibleTurn(h.tracer);
    await h.client.waitFor(awaitingConfirmation);
    const token = tokenIn(h.client);
    const refused = await h.post('/aaep/v1/replies', clientConfirmation(token, 'accept'));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'invalid_reply', message: 'Not a valid AAEP confirmation.reply or clarification.reply message.' });
    expect(h.aaep.replies.has(token)).toBe(true);
    const withId = await h.post('/aaep/v1/replies', { ...clientConfirmation(token, 'accept'), subscription_id: 'sub_screenreader1' });
    expect(withId.status).toBe(204);
    await expect(decision).resolves.toEqual({ decision: 'accept', by: 'user' });
  });

  it('refuses them when AAEP_REQUIRE_SUBSCRIPTION_ID=true', async () => {
    process.env.AAEP_REQUIRE_SUBSCRIPTION_ID = 'true';
    const h = await harness().finally(() => delete process.env.AAEP_REQUIRE_SUBSCRIPTION_ID);
    const response = await h.post('/aaep/v1/replies', clientConfirmation(FORGED_TOKEN, 'accept'));
    expect(response.status).toBe(400);
  });
});

describe('replies without subscription_id at the receiver', () => {
  it('reach an agent in another process through the decision endpoint: its confirm() gets accept', async () => {
    const { receiver, client, provider } = await startRemoteAgent(cleanups);
    const decision = irreversibleTurn(provider.getTracer('remote'));
    await client.waitFor(awaitingConfirmation);
    const forged = await fetch(`${receiver.url}/aaep/v1/replies`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(clientConfirmation(FORGED_TOKEN, 'accept')) });
    expect(forged.status).toBe(204);
    const response = await fetch(`${receiver.url}/aaep/v1/replies`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(clientConfirmation(tokenIn(client), 'accept')) });
    expect(response.status).toBe(204);
    await expect(decision).resolves.toEqual({ decision: 'accept', by: 'user' });
    await provider.forceFlush();
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
  });
});
