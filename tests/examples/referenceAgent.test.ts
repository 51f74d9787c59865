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

  it('runs sessions one at a time, in the order their messages arrived', async () => {
    const { h } = await start();
    const ids = [await say(h, 'What is the weather in Oslo?'), await say(h, 'What is AAEP?'), await say(h, 'Search for trains to Bergen')];
    for (const id of ids) await sessionEvents(h, id);
    const work = h.client.events.filter((e) => e.type !== 'aaep:agent.session.started');
    const order = work.map((e) => ids.indexOf(e.session_id));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
