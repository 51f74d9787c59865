import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Span } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepClientError, reply } from '../../src/client/index.js';
import { clarify, confirm } from '../../src/index.js';
import { validateReplyAgainstSpec } from '../helpers/aaepSchemas.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import type { WireEvent } from '../helpers/sseClient.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

/** Runs `ask` on a session span and hands back its promise and the reply token it put on the stream. */
async function asking<T>(h: Harness, type: string, ask: (span: Span) => Promise<T>): Promise<{ answer: Promise<T>; token: string }> {
  const answer = h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session' } }, async (session) => {
    const result = await ask(session);
    session.end();
    return result;
  });
  const isQuestion = (event: WireEvent) => event.type === type;
  await h.client.waitFor((events) => events.some(isQuestion));
  return { answer, token: String(h.client.events.find(isQuestion)!.reply_token) };
}

describe('reply()', () => {
  it('posts a spec-valid confirmation reply with the bearer token', async () => {
    const received: Array<{ body: unknown; authorization: string | undefined; path: string | undefined }> = [];
    const server = http.createServer(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      received.push({ body: JSON.parse(text), authorization: req.headers.authorization, path: req.url });
      res.writeHead(204).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    await reply(url, { token: 'open-sesame', replyToken: 'rpl_abc123', decision: 'reject' }, { decidedBy: 'user:ada' });
    await reply(`${url}/aaep/v1/events`, { replyToken: 'rpl_abc123', response: 3 }, { subscriptionId: 'sub_mine' });

    expect(received.map((r) => [r.path, r.authorization])).toEqual([
      ['/aaep/v1/replies', 'Bearer open-sesame'],
      ['/aaep/v1/replies', undefined],
    ]);
    for (const { body } of received) expect(validateReplyAgainstSpec(body)).toEqual([]);
    expect(received[0]!.body).toMatchObject({ type: 'confirmation.reply', reply_token: 'rpl_abc123', decision: 'reject', decided_by: 'user:ada' });
    expect((received[0]!.body as { subscription_id: string }).subscription_id).toMatch(/^sub_[A-Za-z0-9]{16}$/);
    expect(received[1]!.body).toMatchObject({ type: 'clarification.reply', response: 3, subscription_id: 'sub_mine' });
  });

  it('answers a confirmation the agent is waiting for', async () => {
    const h = await harness();
    const { answer, token } = await asking(h, 'aaep:agent.awaiting.confirmation', (span) =>
      confirm(span, { action: 'Send an email to Ada', consequence: 'Ada receives it right away.' }),
    );
    await reply(h.server.url, { replyToken: token, decision: 'accept' }, { decidedBy: 'user:ada' });
    await expect(answer).resolves.toEqual({ decision: 'accept', by: 'user', decidedBy: 'user:ada' });
  });

  it('answers a question the agent is waiting for', async () => {
    const h = await harness({ token: 'open-sesame' });
    const { answer, token } = await asking(h, 'aaep:agent.awaiting.clarification', (span) =>
      clarify(span, { question: 'Which city?', options: ['Oslo', 'Bergen'] }),
    );
    await reply(h.server.url, { token: 'open-sesame', replyToken: token, response: 'Oslo' });
    await expect(answer).resolves.toMatchObject({ response: 'Oslo', by: 'user' });
  });

  it('throws an AaepClientError with the status when the server refuses the reply', async () => {
    const h = await harness({ token: 'open-sesame' });
    const refused = reply(h.server.url, { token: 'wrong', replyToken: 'rpl_abc123', decision: 'accept' });
    await expect(refused).rejects.toBeInstanceOf(AaepClientError);
    await expect(refused).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    const malformed = reply(h.server.url, { token: 'open-sesame', replyToken: 'not-a-token', decision: 'accept' });
    await expect(malformed).rejects.toMatchObject({ status: 400, code: 'http' });
  });
});
