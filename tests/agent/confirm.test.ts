import type { Span } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { UserInputRejected, cancelSession, clarify, confirm, handoff, type ConfirmDecision, type ConfirmOptions } from '../../src/index.js';
import { clarificationReply, confirmationReply, startHarness, startHarnessIn, type Harness, type HarnessMode, type WorkerHarness } from '../helpers/harness.js';
import { sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const MODES: HarnessMode[] = ['in-thread', 'worker'];
let harness: Harness | WorkerHarness;
afterEach(async () => {
  await harness?.close();
});

const awaiting = (type: string) => (events: WireEvent[]) => events.some((e) => e.type === type);
const tokenOf = (h: Harness | WorkerHarness, type = 'aaep:agent.awaiting.confirmation') =>
  String(h.client.events.find((e) => e.type === type)!.reply_token);

/** An agent turn: a tool span that asks first and runs the tool only on accept. */
function toolTurn(h: Harness | WorkerHarness, options: Partial<ConfirmOptions> & { irreversible?: boolean; risk?: string } = {}) {
  let ran = false;
  let toolSpan: Span | undefined;
  const decision = h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Email Ada' } }, async (session) => {
    const result = await h.tracer.startActiveSpan('send_email', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'send_email', 'aaep.tool.requires_confirmation': true, ...(options.irreversible !== undefined && { 'aaep.tool.irreversible': options.irreversible }), ...(options.risk !== undefined && { 'aaep.tool.risk_level': options.risk }) } }, async (tool) => {
      toolSpan = tool;
      const d = await confirm(tool, { action: 'Send an email to Ada', consequence: 'Ada receives it right away.', riskLevel: 'medium', ...options });
      if (d.decision === 'accept') ran = true;
      tool.end();
      return d;
    });
    session.end();
    return result;
  });
  return { decision, ran: () => ran, span: () => toolSpan! };
}

// The same behaviour whether translation runs on the agent's thread or in the processor's worker.
describe.each(MODES)('confirm() through HTTP replies (%s)', (mode) => {
  it('runs the tool once a subscriber accepts, and announces the outcome before the tool', async () => {
    harness = await startHarnessIn(mode);
    const turn = toolTurn(harness);
    await harness.client.waitFor(awaiting('aaep:agent.awaiting.confirmation'));
    const response = await harness.post('/aaep/v1/replies', confirmationReply(tokenOf(harness), 'accept', { decided_by: 'user:ada' }));
    expect(response.status).toBe(204);
    await expect(turn.decision).resolves.toEqual({ decision: 'accept', by: 'user', decidedBy: 'user:ada' });
    expect(turn.ran()).toBe(true);
    await harness.client.waitFor(sessionDone());
    expectLegalStream(harness.client.events);
    const types = harness.client.events.map((e) => e.type.replace('aaep:agent.', ''));
    expect(types).toEqual(['session.started', 'state.changed', 'awaiting.confirmation', 'state.changed', 'tool.invoked', 'tool.completed', 'session.completed']);
    const confirmation = harness.client.events[2]!;
    expect(confirmation).toMatchObject({ urgency: 'critical', default_decision: 'reject', risk_level: 'medium', timeout_seconds: 90 });
    expect(harness.client.events[3]).toMatchObject({ from_state: 'awaiting_input', to_state: 'calling_tool', summary_normal: 'You accepted: Send an email to Ada.' });
  });

  it('does not run the tool after a rejection, and says so on the stream', async () => {
    harness = await startHarnessIn(mode);
    const turn = toolTurn(harness);
    await harness.client.waitFor(awaiting('aaep:agent.awaiting.confirmation'));
    await harness.post('/aaep/v1/replies', confirmationReply(tokenOf(harness), 'reject'));
    await expect(turn.decision).resolves.toMatchObject({ decision: 'reject', by: 'user' });
    expect(turn.ran()).toBe(false);
    await harness.client.waitFor(sessionDone());
    expectLegalStream(harness.client.events);
    expect(harness.client.events.map((e) => e.type)).not.toContain('aaep:agent.tool.invoked');
    expect(harness.client.events.find((e) => e.from_state === 'awaiting_input')).toMatchObject({ to_state: 'thinking', summary_normal: 'You declined, so not doing it: Send an email to Ada.' });
  });

  it('applies the default decision on timeout, with reminders at half and a tenth of the time left', async () => {
    harness = await startHarnessIn(mode);
    const turn = toolTurn(harness, { timeoutSeconds: 2, defaultDecision: 'reject' });
    await expect(turn.decision).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    expect(turn.ran()).toBe(false);
    await harness.client.waitFor(sessionDone());
    expectLegalStream(harness.client.events);
    const reminders = harness.client.events.filter((e) => e.type === 'aaep:agent.progress.updated');
    expect(reminders.map((e) => (e.progress as { percent: number }).percent)).toEqual([50, 90]);
    expect(reminders.map((e) => e.summary_normal)).toEqual(['1 second left to confirm: Send an email to Ada, 50 percent.', '1 second left to confirm: Send an email to Ada, 90 percent.'].map((s) => s));
    expect(harness.client.events.find((e) => e.from_state === 'awaiting_input')).toMatchObject({ summary_normal: 'No answer in time, so not doing it: Send an email to Ada.' });
  });

  it('times out an irreversible high-risk action to reject even when the caller asked for accept', async () => {
    harness = await startHarnessIn(mode);
    const turn = toolTurn(harness, { irreversible: true, riskLevel: 'high', defaultDecision: 'accept', timeoutSeconds: 1 });
    await harness.client.waitFor(awaiting('aaep:agent.awaiting.confirmation'));
    expect(harness.client.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')).toMatchObject({ default_decision: 'reject', irreversible: true, risk_level: 'high' });
    await expect(turn.decision).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    expect(turn.ran()).toBe(false);
    await harness.client.waitFor(sessionDone());
    expectLegalStream(harness.client.events);
  });

  it('honours only the first reply to a token', async () => {
    harness = await startHarnessIn(mode);
    const turn = toolTurn(harness);
    await harness.client.waitFor(awaiting('aaep:agent.awaiting.confirmation'));
    const token = tokenOf(harness);
    const [first, second] = await Promise.all([
      harness.post('/aaep/v1/replies', confirmationReply(token, 'accept')),
      harness.post('/aaep/v1/replies', confirmationReply(token, 'reject')),
    ]);
    expect([first.status, second.status]).toEqual([204, 204]);
    await expect(turn.decision).resolves.toMatchObject({ decision: 'accept' });
  });

  it('answers expired, forged, reused and disallowed replies with the same 204 and ignores them', async () => {
    harness = await startHarnessIn(mode);
    const turn = toolTurn(harness, { allowedReplies: ['reject'], timeoutSeconds: 2 });
    await harness.client.waitFor(awaiting('aaep:agent.awaiting.confirmation'));
    const token = tokenOf(harness);
    const late = new Date(Date.now() + 3_600_000).toISOString();
    const attempts = [
      confirmationReply(token, 'reject', { timestamp: late }),
      confirmationReply('rpl_0123456789abcdef0123456789abcdef', 'accept'),
      confirmationReply(token, 'accept'),
    ];
    for (const attempt of attempts) {
      const response = await harness.post('/aaep/v1/replies', attempt);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
    }
    await expect(turn.decision).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    // The token is spent: a reply to it now does nothing either.
    expect((await harness.post('/aaep/v1/replies', confirmationReply(token, 'reject'))).status).toBe(204);
  });

  it('ignores a token from another session that has ended, and still takes the right one', async () => {
    harness = await startHarnessIn(mode);
    const first = toolTurn(harness, { timeoutSeconds: 1 });
    await expect(first.decision).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    const oldToken = tokenOf(harness);
    const second = toolTurn(harness);
    await harness.client.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.awaiting.confirmation').length === 2);
    const newToken = String(harness.client.events.filter((e) => e.type === 'aaep:agent.awaiting.confirmation')[1]!.reply_token);
    expect((await harness.post('/aaep/v1/replies', confirmationReply(oldToken, 'accept'))).status).toBe(204);
    expect(harness.aaep.replies.has(newToken)).toBe(true);
    await harness.post('/aaep/v1/replies', confirmationReply(newToken, 'reject'));
    await expect(second.decision).resolves.toMatchObject({ decision: 'reject', by: 'user' });
  });

  it('answers every malformed reply with the same generic 400', async () => {
    harness = await startHarnessIn(mode);
    const bodies = [
      'not json',
      '{}',
      JSON.stringify({ type: 'confirmation.reply', reply_token: 'rpl_abc', decision: 'accept' }),
      JSON.stringify(confirmationReply('bad token', 'accept')),
      JSON.stringify(confirmationReply('rpl_abc', 'maybe')),
      JSON.stringify(confirmationReply('rpl_abc', 'accept', { extra: true })),
      JSON.stringify(confirmationReply('rpl_abc', 'accept', { decision_rationale: 'x'.repeat(70_000) })),
    ];
    const answers = await Promise.all(bodies.map(async (body) => {
      const response = await harness.post('/aaep/v1/replies', body);
      return [response.status, await response.json()];
    }));
    for (const answer of answers) expect(answer).toEqual([400, { error: 'invalid_reply', message: 'Not a valid AAEP confirmation.reply or clarification.reply message.' }]);
  });

  it('settles pending confirmations as cancelled when the session is cancelled or the wait aborted', async () => {
    harness = await startHarnessIn(mode);
    const controller = new AbortController();
    let decisions: ConfirmDecision[] = [];
    const done = harness.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, async (session) => {
      const tool = harness.tracer.startSpan('delete', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'delete_record', 'aaep.tool.irreversible': true } });
      const aborted = confirm(tool, { action: 'Delete record 42', consequence: 'It is gone for good.', signal: controller.signal });
      const other = confirm(session, { action: 'Also archive the log', consequence: 'The log moves to the archive.' });
      await harness.client.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.awaiting.confirmation').length === 2);
      controller.abort();
      const first = await aborted;
      expect(cancelSession(tool, { by: 'user', reason: 'user pressed escape' })).toBe(1);
      decisions = [first, await other];
      tool.end();
      session.end();
    });
    await done;
    expect(decisions).toEqual([{ decision: 'reject', by: 'cancelled' }, { decision: 'reject', by: 'cancelled' }]);
    await harness.client.waitFor(sessionDone());
    expect(harness.client.events.at(-1)).toMatchObject({ type: 'aaep:agent.session.cancelled', cancelled_by: 'user', cancellation_reason: 'user_pressed_escape' });
    expect(harness.aaep.replies.size).toBe(0);
  });

  it('resolves immediately with the default when no processor follows the span', async () => {
    harness = await startHarnessIn(mode);
    const span = harness.tracer.startSpan('not an agent span');
    await expect(confirm(span, { action: 'x', consequence: 'y', defaultDecision: 'accept' })).resolves.toEqual({ decision: 'accept', by: 'unavailable' });
    span.end();
  });
});

describe.each(MODES)('clarify() and handoff() through HTTP (%s)', (mode) => {
  it('asks a question with options, ignores an answer that is not an option, and takes the next valid one via /aaep/v1/messages', async () => {
    harness = await startHarnessIn(mode);
    const answer = harness.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, async (session) => {
      const result = await clarify(session, { question: 'Which city?', options: ['Oslo', 'Bergen'], timeoutSeconds: 30 });
      session.end();
      return result;
    });
    await harness.client.waitFor(awaiting('aaep:agent.awaiting.clarification'));
    const token = tokenOf(harness, 'aaep:agent.awaiting.clarification');
    expect(harness.client.events.find((e) => e.type === 'aaep:agent.awaiting.clarification')).toMatchObject({
      question: 'Which city?',
      accepted_response_kinds: ['multiple_choice'],
      choices: [{ value: 'Oslo', label: 'Oslo' }, { value: 'Bergen', label: 'Bergen' }],
      urgency: 'critical',
    });
    expect((await harness.post('/aaep/v1/messages', clarificationReply(token, 'Paris'))).status).toBe(204);
    expect((await harness.post('/aaep/v1/messages', clarificationReply(token, 'Bergen'))).status).toBe(204);
    await expect(answer).resolves.toEqual({ response: 'Bergen', by: 'user' });
    await harness.client.waitFor(sessionDone());
    expectLegalStream(harness.client.events);
    expect(harness.client.events.find((e) => e.from_state === 'awaiting_input')).toMatchObject({ to_state: 'thinking', summary_normal: 'You answered: Bergen.' });
  });

  it('falls back to the default response when nobody answers', async () => {
    harness = await startHarnessIn(mode);
    const answer = harness.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, async (session) => {
      const result = await clarify(session, { question: 'Which city?', defaultResponse: 'Oslo', timeoutSeconds: 1 });
      session.end();
      return result;
    });
    await expect(answer).resolves.toEqual({ response: 'Oslo', by: 'timeout' });
  });

  it('announces a handoff as critical and moves to handing_off', async () => {
    harness = await startHarnessIn(mode);
    harness.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, (session) => {
      handoff(session, { reason: 'The user asked for a person.', targetKind: 'human', summary: 'A support agent will take over shortly.' });
      session.end();
    });
    await harness.client.waitFor(sessionDone());
    expectLegalStream(harness.client.events);
    expect(harness.client.events.find((e) => e.type === 'aaep:agent.handoff.requested')).toMatchObject({
      urgency: 'critical',
      target_kind: 'human',
      summary_normal: 'A support agent will take over shortly.',
    });
  });
});

describe('authentication and user input', () => {
  it('requires the token on events, replies and messages, and leaves a pending confirmation untouched without it', async () => {
    harness = await startHarness({ token: 'sesame-0123456789' });
    const turn = toolTurn(harness, { timeoutSeconds: 2 });
    await harness.client.waitFor(awaiting('aaep:agent.awaiting.confirmation'));
    const token = tokenOf(harness);
    const url = harness.server.url;
    expect((await fetch(`${url}/aaep/v1/events`)).status).toBe(401);
    expect((await fetch(`${url}/aaep/v1/events`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const unauthenticated = await harness.post('/aaep/v1/replies', confirmationReply(token, 'accept'), {});
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toEqual({ error: 'unauthorized', message: 'A valid AAEP token is required.' });
    expect((await harness.post('/aaep/v1/messages', confirmationReply(token, 'accept'), { Authorization: 'Bearer nope' })).status).toBe(401);
    await expect(turn.decision).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    const browserLike: Array<[string, Record<string, string>]> = [
      ['', { Cookie: 'aaep_token=sesame-0123456789' }],
      ['?access_token=sesame-0123456789', {}],
    ];
    for (const [query, headers] of browserLike) {
      const response = await fetch(`${url}/aaep/v1/events${query}`, { headers });
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
  });

  it('starts sessions from user input on /aaep/v1/messages and /sessions, answering 202 with the session id', async () => {
    const texts: string[] = [];
    harness = await startHarness({ onUserInput: (text) => (texts.push(text), `sess_${texts.length}abc`) });
    const viaMessages = await harness.post('/aaep/v1/messages', { kind: 'user_input', text: 'What is the weather?' });
    expect(viaMessages.status).toBe(202);
    expect(await viaMessages.json()).toEqual({ session_id: 'sess_1abc' });
    const viaSessions = await harness.post('/sessions', { user_message: 'Book a room' });
    expect(viaSessions.status).toBe(202);
    expect(await viaSessions.json()).toEqual({ session_id: 'sess_2abc' });
    expect(texts).toEqual(['What is the weather?', 'Book a room']);
    const bad = await harness.post('/aaep/v1/messages', { kind: 'user_input', text: '' });
    expect(bad.status).toBe(400);
  });

  it('answers browsers only from the configured origins (CORS is off by default)', async () => {
    harness = await startHarness({ corsOrigins: ['https://app.example'] });
    const preflight = (origin: string) =>
      fetch(`${harness.server.url}/aaep/v1/replies`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    await harness.close();
    harness = await startHarness();
    const closed = await fetch(`${harness.server.url}/aaep/v1/events`, { headers: { Origin: 'https://app.example' } });
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
    await closed.body?.cancel();
  });

  it('answers 429 with Retry-After and the reason when onUserInput throws UserInputRejected, and 500 for any other failure', async () => {
    let busy = true;
    harness = await startHarness({
      onUserInput: () => {
        if (busy) throw new UserInputRejected('Sixteen requests are running; try again shortly.', { retryAfterSeconds: 7.2 });
        throw new Error('database down');
      },
    });
    for (const [path, body] of [['/aaep/v1/messages', { kind: 'user_input', text: 'hello' }], ['/sessions', { user_message: 'hello' }]] as const) {
      const response = await harness.post(path, body);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('8');
      expect(await response.json()).toEqual({ error: 'busy', message: 'Sixteen requests are running; try again shortly.', retry_after_seconds: 8 });
    }
    busy = false;
    const failed = await harness.post('/aaep/v1/messages', { kind: 'user_input', text: 'hello' });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'internal', message: 'The agent could not start a session.' });
  });

  it('says 501 to user input when the application takes none', async () => {
    harness = await startHarness();
    expect((await harness.post('/aaep/v1/messages', { kind: 'user_input', text: 'hello' })).status).toBe(501);
  });
});
