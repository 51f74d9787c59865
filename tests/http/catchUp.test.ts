import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Span, Tracer } from '@opentelemetry/api';
import { createParser } from 'eventsource-parser';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { POSITION_EVENT } from '../../src/hub/CatchUp.js';
import { EventHub } from '../../src/hub/EventHub.js';
import { sseRetry } from '../../src/http/sseFrame.js';
import { Translator } from '../../src/translate/index.js';
import { event, started } from '../helpers/records.js';
import { confirm, type ConfirmDecision } from '../../src/agent/confirm.js';
import { startAaepServer, type AaepServer } from '../../src/http/startAaepServer.js';
import { confirmationReply } from '../helpers/harness.js';
import { connectSse, sessionDone, type SseClient, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream, streamViolations } from '../helpers/streamRules.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface Setup {
  readonly aaep: AaepSpanProcessor;
  readonly tracer: Tracer;
  readonly server: AaepServer;
  readonly events: string;
  connect(options?: Parameters<typeof connectSse>[1], query?: string): Promise<SseClient>;
  reply(token: string, decision: string): Promise<Response>;
}

async function setup(hub: ConstructorParameters<typeof AaepSpanProcessor>[0] = {}): Promise<Setup> {
  const aaep = new AaepSpanProcessor({ agentId: 'test-agent', agentName: 'Test agent', ...hub });
  const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
  const server = await startAaepServer({ hub: aaep.hub, port: 0 });
  cleanups.push(() => server.close(), () => provider.shutdown());
  const events = `${server.url}/aaep/v1/events`;
  return {
    aaep,
    tracer: provider.getTracer('test'),
    server,
    events,
    async connect(options, query = '') {
      const client = await connectSse(`${events}${query}`, options);
      cleanups.push(() => client.close());
      return client;
    },
    reply: (token, decision) =>
      fetch(`${server.url}/aaep/v1/replies`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(confirmationReply(token, decision)),
      }),
  };
}

/**
 * A session caught in the middle of everything a late subscriber must hear about:
 * a tool still running, an answer half written, and an irreversible tool waiting
 * on its confirmation. `finish` lets it run to the end.
 */
function busySession(tracer: Tracer) {
  let ran = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let decided!: (decision: ConfirmDecision) => void;
  const decision = new Promise<ConfirmDecision>((resolve) => (decided = resolve));
  const done = tracer.startActiveSpan(
    'turn',
    { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Answer Ada and send it' } },
    async (session): Promise<ConfirmDecision> => {
      const search = tracer.startSpan('search_mail', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'search_mail' } });
      const chat = tracer.startSpan('chat', { attributes: { 'aaep.span.kind': 'llm' } });
      chat.addEvent('aaep.output.chunk', { 'aaep.output.text': 'Found the thread. Drafting' });
      const result = await tracer.startActiveSpan(
        'send_email',
        { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'send_email', 'aaep.tool.irreversible': true } },
        async (tool: Span) => {
          const d = await confirm(tool, { action: 'Send the reply to Ada', consequence: 'Ada receives it at once.', riskLevel: 'high', irreversible: true, timeoutSeconds: 300 });
          if (d.decision === 'accept') ran = true;
          tool.end();
          decided(d);
          return d;
        },
      );
      await finished;
      chat.addEvent('aaep.output.chunk', { 'aaep.output.text': ' a reply.' });
      chat.end();
      search.end();
      session.end();
      return result;
    },
  );
  return { decision, done, finish, ran: () => ran };
}

const isConfirmation = (events: WireEvent[]) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation');
const types = (events: readonly WireEvent[]) => events.map((e) => e.type.replace('aaep:agent.', ''));

describe('catch-up for a subscriber that joins mid-session', () => {
  it('re-sends where the session stands, then exactly the live events a subscriber from the start sees', async () => {
    const s = await setup();
    const early = await s.connect();
    const turn = busySession(s.tracer);
    await early.waitFor(isConfirmation);
    // The agent now waits on the confirmation: nothing more is published until it is answered.
    const joinedAt = early.events.length;
    const late = await s.connect();
    await late.waitFor(isConfirmation);

    const catchUp = late.events.slice(0, late.catchUp);
    expect(types(catchUp)).toEqual(['session.started', 'tool.invoked', 'state.changed', 'awaiting.confirmation']);
    for (const event of catchUp) {
      const original = early.events.find((e) => e.event_id === event.event_id)!;
      const { timestamp, timeout_seconds: timeLeft, summary_detailed: detailed, ...same } = event;
      expect(same).toEqual(Object.fromEntries(Object.entries(original).filter(([k]) => !['timestamp', 'timeout_seconds', 'summary_detailed'].includes(k))));
      if (event.type !== 'aaep:agent.awaiting.confirmation') expect({ timestamp, detailed }).toEqual({ timestamp: original.timestamp, detailed: original.summary_detailed });
      else {
        expect(timeLeft).toBeGreaterThanOrEqual(1);
        expect(timeLeft).toBeLessThanOrEqual(300);
        expect(detailed).toMatch(/Without an answer in .*, it will not happen\.$/);
      }
    }
    expect(catchUp[2]).toMatchObject({ to_state: 'awaiting_input' });
    expect(late.position).toBe(early.ids[joinedAt - 1]);

    const token = String(catchUp[3]!.reply_token);
    expect((await s.reply(token, 'accept')).status).toBe(204);
    await expect(turn.decision).resolves.toMatchObject({ decision: 'accept', by: 'user' });
    expect(turn.ran()).toBe(true);
    turn.finish();
    await early.waitFor(sessionDone());
    await late.waitFor(sessionDone());

    expect(late.events.slice(late.catchUp)).toEqual(early.events.slice(joinedAt));
    expectLegalStream(early.events);
    expectLegalStream(late.events, { catchUp: late.catchUp });
    // Still rejected: the live part without its catch-up, a live event lost, a catch-up that re-sends a finished call.
    expect(streamViolations(late.events.slice(late.catchUp))).not.toEqual([]);
    const lost = late.events.filter((_, i) => i !== late.catchUp + 2);
    expect(streamViolations(lost, { catchUp: late.catchUp })).toContainEqual(expect.stringMatching(/live .* has sequence_number/));
    const completed = early.events.find((e) => e.type === 'aaep:agent.tool.completed')!;
    const wrong = [...catchUp.slice(0, 3), completed, ...late.events.slice(late.catchUp)];
    expect(streamViolations(wrong, { catchUp: 4 })).toContainEqual(expect.stringMatching(/tool.completed in a catch-up/));
  });

  it('re-sends the pending question with its reply_token on a resume whose Last-Event-ID aged out', async () => {
    const s = await setup({ hub: { retentionEvents: 3 } });
    const early = await s.connect();
    const turn = busySession(s.tracer);
    await early.waitFor(isConfirmation);
    const original = early.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;

    for (const lastEventId of [early.ids[0]!, 'evt_neverpublished']) {
      const resumed = await s.connect({ lastEventId });
      await resumed.waitFor(isConfirmation);
      expect(resumed.catchUp).toBe(resumed.events.length);
      expect(resumed.events.at(-1)).toMatchObject({ event_id: original.event_id, reply_token: original.reply_token, sequence_number: original.sequence_number });
      resumed.close();
    }

    const resumed = await s.connect({ lastEventId: early.ids[0]! });
    await resumed.waitFor(isConfirmation);
    await s.reply(String(resumed.events.at(-1)!.reply_token), 'accept');
    await expect(turn.decision).resolves.toMatchObject({ decision: 'accept' });
    turn.finish();
    await resumed.waitFor(sessionDone());
    expectLegalStream(resumed.events, { catchUp: resumed.catchUp });
  });

  it('resumes exactly where the live events start from the id that ends the catch-up', async () => {
    const s = await setup();
    const early = await s.connect();
    const turn = busySession(s.tracer);
    await early.waitFor(isConfirmation);
    const late = await s.connect();
    await late.waitFor(() => late.position !== undefined);
    late.close();
    const joinedAt = early.events.length;

    await s.reply(String(early.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.reply_token), 'accept');
    turn.finish();
    await early.waitFor(sessionDone());
    const resumed = await s.connect({ lastEventId: late.position! });
    await resumed.waitFor(sessionDone());
    expect(resumed.catchUp).toBe(0);
    expect(resumed.events).toEqual(early.events.slice(joinedAt));
  });

  it('catches up only the session its session_id names', async () => {
    const s = await setup();
    const early = await s.connect();
    const first = busySession(s.tracer);
    const second = busySession(s.tracer);
    await early.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.awaiting.confirmation').length === 2);
    const sessionId = early.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!.session_id;
    const late = await s.connect(undefined, `?session_id=${sessionId}`);
    await late.waitFor(isConfirmation);
    expect(new Set(late.events.map((e) => e.session_id))).toEqual(new Set([sessionId]));
    for (const turn of [first, second]) turn.finish();
    s.aaep.hub.replies?.cancelAll();
    await Promise.all([first.decision, second.decision]);
    await late.waitFor(sessionDone(sessionId));
    expectLegalStream(late.events, { catchUp: late.catchUp });
  });

  it('sends nothing before live events when no session is open', async () => {
    const s = await setup();
    const late = await s.connect();
    const turn = busySession(s.tracer);
    await late.waitFor(isConfirmation);
    expect(late.catchUp).toBe(0);
    expect(late.position).toBeUndefined();
    s.aaep.hub.replies?.cancelAll();
    await turn.decision;
    turn.finish();
    await late.waitFor(sessionDone());
    expectLegalStream(late.events);
  });
});

describe('the catch-up bound', () => {
  it('keeps 10 concurrent catch-ups of thousands of sessions within the subscriber bound, questions first, while the server still answers', async () => {
    const queueBytes = 8 * 1024 * 1024;
    let translator: Translator | undefined;
    const hub = new EventHub({ subscriberQueueBytes: queueBytes, catchUpMaxSessions: 100_000, catchUp: (id, max) => translator!.catchUp(id, max) });
    translator = new Translator({ producer: { agent_id: 'test-agent' }, emit: (e) => hub.publish(e) });
    const t0 = Date.now();
    const request = 'Summarise this long request. '.repeat(50);
    const asking = new Set<string>();
    for (let i = 0; i < 3_000; i++) {
      const root = started(10 * i + 1, undefined, { 'aaep.span.kind': 'session', 'aaep.session.request': request }, t0);
      translator.handle(root);
      if (i < 20) {
        translator.handle(started(10 * i + 2, 10 * i + 1, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'pay' }, t0));
        translator.handle(event(10 * i + 2, 'aaep.confirmation.requested', { 'aaep.confirmation.reply_token': `rpl_q${i}`, 'aaep.confirmation.action': 'Pay the bill', 'aaep.confirmation.timeout_seconds': 600 }, t0));
        asking.add(`sess_${root.traceId}${root.spanId}`);
      }
    }
    const server = await startAaepServer({ hub, port: 0 });
    cleanups.push(() => server.close());
    const streams: ServerResponse[] = [];
    server.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith('/aaep/v1/events')) streams.push(res);
    });

    // Ten resumes whose Last-Event-ID is unknown, none of them reading yet.
    const readers = await Promise.all(
      Array.from({ length: 10 }, () => new Promise<IncomingMessage>((resolve) => {
        const req = http.get(`${server.url}/aaep/v1/events`, { headers: { 'Last-Event-ID': 'evt_gone' } }, (res) => {
          res.pause();
          resolve(res);
        });
        cleanups.push(() => req.destroy());
      })),
    );
    // Each stream is either held back by its paused reader, or (when the kernel's socket
    // buffers took everything) has already handed its whole catch-up to the socket.
    const handedOver = (res: ServerResponse) => (res.socket?.bytesWritten ?? 0) >= queueBytes / 2 - 8 * 1024;
    await until(() => streams.length === 10 && streams.every((res) => res.writableNeedDrain || handedOver(res)));
    // Each is written a slice at a time as its socket drains, never built whole in memory.
    for (const res of streams) expect(res.writableLength).toBeLessThan(256 * 1024);
    const manifest = await fetch(`${server.url}/.well-known/aaep-manifest.json`);
    expect(manifest.status).toBe(200);

    const catchUps = await Promise.all(readers.map((res) => readCatchUp(res)));
    for (const { bytes, sessions } of catchUps) {
      // Everything after the stream's opening retry: line is the catch-up.
      expect(bytes - sseRetry(2_000).length).toBeLessThanOrEqual(queueBytes / 2);
      expect(bytes).toBeGreaterThan(queueBytes / 2 - 8 * 1024);
      expect(sessions.length).toBeLessThan(3_000);
      expect(new Set(sessions.slice(0, 20))).toEqual(asking);
    }
  });
});

/** Reads an SSE response until its catch-up ends, counting bytes and the sessions in it. */
function readCatchUp(res: IncomingMessage): Promise<{ bytes: number; sessions: string[] }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const sessions: string[] = [];
    const parser = createParser({
      onEvent(message) {
        if (message.event === POSITION_EVENT) {
          res.destroy();
          resolve({ bytes, sessions });
          return;
        }
        const { session_id: id } = JSON.parse(message.data) as { session_id: string };
        if (sessions.at(-1) !== id) sessions.push(id);
      },
    });
    const decoder = new TextDecoder();
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      parser.feed(decoder.decode(chunk, { stream: true }));
    });
    res.on('error', reject);
    res.resume();
  });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
