import { afterEach, describe, expect, it } from 'vitest';
import { ReferenceAgent } from '../../examples/reference-agent/ReferenceAgent.js';
import { clarificationReply, confirmationReply, startHarness, type Harness } from '../helpers/harness.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

let harness: Harness;
afterEach(async () => {
  await harness?.close();
});

async function start(replyTimeoutSeconds = 30): Promise<{ h: Harness; agent: ReferenceAgent }> {
  let agent: ReferenceAgent | undefined;
  harness = await startHarness({ onUserInput: (text) => agent!.start(text).sessionId });
  agent = new ReferenceAgent(harness.tracer, { pace: 0.05, replyTimeoutSeconds });
  return { h: harness, agent };
}

/** Sends a message like a driver would, and returns the session id the server answered with. */
async function say(h: Harness, text: string): Promise<string> {
  const response = await h.post('/aaep/v1/messages', { kind: 'user_input', text });
  expect(response.status).toBe(202);
  return ((await response.json()) as { session_id: string }).session_id;
}

async function sessionEvents(h: Harness, sessionId: string): Promise<WireEvent[]> {
  await h.client.waitFor(sessionDone(sessionId));
  const events = h.client.events.filter((e) => e.session_id === sessionId);
  expectLegalStream(events);
  return events;
}

const types = (events: WireEvent[]) => events.map((e) => e.type.replace('aaep:agent.', ''));
const spoken = (events: WireEvent[]) => events.filter((e) => e.type === 'aaep:agent.output.streaming').map((e) => e.chunk).join('');

describe('the reference agent, driven through POST /aaep/v1/messages', () => {
  it('answers a question in a few streamed sentences, in at most six events', async () => {
    const { h } = await start();
    const events = await sessionEvents(h, await say(h, 'What is AAEP?'));
    expect(events.length).toBeLessThanOrEqual(6);
    expect(types(events)).not.toContain('tool.invoked');
    expect(events.at(-1)?.type).toBe('aaep:agent.session.completed');
    expect(spoken(events)).toMatch(/\S/);
  });

  it('looks things up with tools, in at most twelve events per one-tool turn', async () => {
    const { h } = await start();
    for (const [text, tool] of [['What is the weather in Oslo tomorrow?', 'get_weather'], ['Search for flights to Oslo', 'web_search'], ["What's on my calendar tomorrow?", 'calendar_lookup']] as const) {
      const events = await sessionEvents(h, await say(h, text));
      expect(events.length).toBeLessThanOrEqual(12);
      expect(events.find((e) => e.type === 'aaep:agent.tool.invoked')).toMatchObject({ tool });
      expect(events.find((e) => e.type === 'aaep:agent.tool.completed')).toMatchObject({ tool, status: 'success' });
    }
  });

  it('asks before sending an email, early in the session, and sends it only on accept', async () => {
    const { h } = await start();
    const sessionId = await say(h, 'Send an email to Ada saying hi');
    await h.client.waitFor((events) => events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation'));
    const asked = h.client.events.filter((e) => e.session_id === sessionId);
    expect(asked.findIndex((e) => e.type === 'aaep:agent.awaiting.confirmation')).toBeLessThanOrEqual(4);
    expect(asked.map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');
    const confirmation = asked.at(-1)!;
    expect(confirmation).toMatchObject({ risk_level: 'medium', urgency: 'critical' });
    expect(String(confirmation.action)).toContain('Ada');
    expect((await h.post('/aaep/v1/replies', confirmationReply(String(confirmation.reply_token), 'accept'))).status).toBe(204);
    const events = await sessionEvents(h, sessionId);
    expect(types(events).slice(types(events).indexOf('awaiting.confirmation'))).toEqual(
      expect.arrayContaining(['state.changed', 'tool.invoked', 'tool.completed']),
    );
    expect(events.find((e) => e.type === 'aaep:agent.tool.completed')).toMatchObject({ tool: 'send_email', status: 'success' });
  });

  it('does not book the room when the user rejects', async () => {
    const { h } = await start();
    const sessionId = await say(h, 'Book a meeting room for 3pm');
    await h.client.waitFor((events) => events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation'));
    const token = String(h.client.events.find((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    await h.post('/aaep/v1/replies', confirmationReply(token, 'reject'));
    const events = await sessionEvents(h, sessionId);
    expect(types(events)).not.toContain('tool.invoked');
    expect(spoken(events)).toMatch(/not|didn't|did not/i);
  });

  it('treats deleting a record as irreversible and high risk, and does nothing when nobody answers', async () => {
    const { h } = await start(1);
    const events = await sessionEvents(h, await say(h, 'Delete record 42'));
    expect(events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')).toMatchObject({
      risk_level: 'high',
      irreversible: true,
      default_decision: 'reject',
    });
    expect(types(events)).not.toContain('tool.invoked');
    expect(events.find((e) => e.from_state === 'awaiting_input')).toMatchObject({ summary_normal: expect.stringContaining('No answer in time') });
  });

  it('transfers money only after an accepted irreversible confirmation', async () => {
    const { h } = await start();
    const sessionId = await say(h, 'Transfer 500 NOK to Bob');
    await h.client.waitFor((events) => events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation'));
    const token = String(h.client.events.find((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    await h.post('/aaep/v1/replies', confirmationReply(token, 'accept'));
    const events = await sessionEvents(h, sessionId);
    expect(events.find((e) => e.type === 'aaep:agent.tool.invoked')).toMatchObject({ tool: 'transfer_money', irreversible: true });
  });

  it('asks which city when the weather request has none, and uses the answer', async () => {
    const { h } = await start();
    const sessionId = await say(h, "What's the weather like?");
    await h.client.waitFor((events) => events.some((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.clarification'));
    const question = h.client.events.find((e) => e.session_id === sessionId && e.type === 'aaep:agent.awaiting.clarification')!;
    expect(h.client.events.filter((e) => e.session_id === sessionId).indexOf(question)).toBeLessThanOrEqual(4);
    await h.post('/aaep/v1/messages', clarificationReply(String(question.reply_token), 'Bergen'));
    const events = await sessionEvents(h, sessionId);
    expect(events.find((e) => e.type === 'aaep:agent.tool.invoked')).toMatchObject({ tool: 'get_weather', args_summary: expect.stringContaining('Bergen') });
    expect(spoken(events)).toContain('Bergen');
  });

  it('hands off to a person when asked to talk to a human', async () => {
    const { h } = await start();
    const events = await sessionEvents(h, await say(h, 'I want to talk to a human'));
    expect(events.find((e) => e.type === 'aaep:agent.handoff.requested')).toMatchObject({ target_kind: 'human', urgency: 'critical' });
  });

  it('reports a failing or missing tool and ends the session with a critical error', async () => {
    const { h } = await start();
    for (const text of ['Use the teleporter', 'Check the weather on Mars']) {
      const events = await sessionEvents(h, await say(h, text));
      expect(events.find((e) => e.type === 'aaep:agent.tool.completed')).toMatchObject({ status: 'error' });
      expect(events.at(-1)).toMatchObject({ type: 'aaep:agent.session.errored', urgency: 'critical' });
    }
  });

  it('reports progress through a long task', async () => {
    const { h } = await start();
    const events = await sessionEvents(h, await say(h, 'Generate a quarterly report'));
    const progress = events.filter((e) => e.type === 'aaep:agent.progress.updated');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)?.progress).toMatchObject({ step: progress.length, total_steps: progress.length });
  });

  it('never puts a secret the user typed on the wire, and says "a credential (hidden)" instead', async () => {
    const { h } = await start();
    const secrets = ['sk-proj-Zx81kQ0pLm3Nv7Rt2Yw9', 'hunter2-Secret!'];
    const first = await sessionEvents(h, await say(h, `Please store my api_key=${secrets[0]}`));
    const second = await sessionEvents(h, await say(h, `Log in with password ${secrets[1]}`));
    const wire = JSON.stringify([...first, ...second]);
    for (const secret of secrets) expect(wire).not.toContain(secret);
    expect(wire).not.toContain('hunter2');
    expect(wire).toContain('a credential (hidden)');
    expect(wire).not.toMatch(/api_key|password/i);
  });

  it('runs three overlapping sessions side by side: two complete while the third waits on an irreversible confirmation', async () => {
    const { h, agent } = await start();
    const waiting = await say(h, 'Transfer 500 NOK to Bob');
    const asked = (events: WireEvent[]) => events.some((e) => e.session_id === waiting && e.type === 'aaep:agent.awaiting.confirmation');
    await h.client.waitFor(asked);
    const others = [await say(h, 'What is the weather in Oslo tomorrow?'), await say(h, 'What is AAEP?')];
    for (const id of others) await h.client.waitFor(sessionDone(id));
    // Both finished while the transfer is still waiting for its answer.
    expect(sessionDone(waiting)(h.client.events)).toBe(false);
    expect(agent.sessions).toBe(1);
    const confirmation = h.client.events.find((e) => e.session_id === waiting && e.type === 'aaep:agent.awaiting.confirmation')!;
    expect(confirmation).toMatchObject({ irreversible: true, risk_level: 'high' });
    expect(h.aaep.replies.has(String(confirmation.reply_token))).toBe(true);
    // The other sessions started after the question was asked and ended before it was answered.
    const position = (id: string, type: string) => h.client.events.findIndex((e) => e.session_id === id && e.type === type);
    for (const id of others) expect(position(id, 'aaep:agent.session.started')).toBeGreaterThan(h.client.events.indexOf(confirmation));
    expect((await h.post('/aaep/v1/replies', confirmationReply(String(confirmation.reply_token), 'accept'))).status).toBe(204);
    const transfer = await sessionEvents(h, waiting);
    expect(transfer.find((e) => e.type === 'aaep:agent.tool.invoked')).toMatchObject({ tool: 'transfer_money' });
    for (const id of others) expect((await sessionEvents(h, id)).at(-1)?.type).toBe('aaep:agent.session.completed');
    // Interleaved on one stream, every session's own stream is legal, and so is the whole.
    expectLegalStream(h.client.events);
    await agent.idle();
    expect(agent.sessions).toBe(0);
  });

  it('turns a message away with 429, Retry-After and a reason at its session cap, and takes messages again when one ends', async () => {
    let agent: ReferenceAgent | undefined;
    harness = await startHarness({ onUserInput: (text) => agent!.start(text).sessionId });
    agent = new ReferenceAgent(harness.tracer, { pace: 0.05, maxSessions: 2 });
    const h = harness;
    const pending = [await say(h, 'Transfer 500 NOK to Bob'), await say(h, 'Delete record 42')];
    for (const id of pending) await h.client.waitFor((events) => events.some((e) => e.session_id === id && e.type === 'aaep:agent.awaiting.confirmation'));
    const startedBefore = h.client.events.filter((e) => e.type === 'aaep:agent.session.started').length;
    for (const [path, body] of [['/aaep/v1/messages', { kind: 'user_input', text: 'What is AAEP?' }], ['/sessions', { user_message: 'What is AAEP?' }]] as const) {
      const refused = await h.post(path, body);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toEqual({ error: 'busy', message: 'Reference assistant is already working on 2 requests; try again in a few seconds.', retry_after_seconds: 5 });
    }
    // Nothing was started for the refused messages.
    expect(h.client.events.filter((e) => e.type === 'aaep:agent.session.started').length).toBe(startedBefore);
    const token = String(h.client.events.find((e) => e.session_id === pending[0] && e.type === 'aaep:agent.awaiting.confirmation')!.reply_token);
    await h.post('/aaep/v1/replies', confirmationReply(token, 'reject'));
    await sessionEvents(h, pending[0]!);
    expect(agent.sessions).toBe(1);
    const next = await say(h, 'What is AAEP?');
    await sessionEvents(h, next);
  });
});
