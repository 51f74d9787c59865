import { SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { REDACTED } from '../../src/translate/redact/redact.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { collectEvents } from '../helpers/hubEvents.js';
import { SECRET_CORPUS, leakedFragments } from '../helpers/secretCorpus.js';
import { expectLegalStream } from '../helpers/streamRules.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

// Identifiers the server makes up (random hex), which a 6-character fragment of a hex secret can match by chance.
const GENERATED = /(?:^|_)id$|^reply_token$|^timestamp$/;

/** Every string in the events, keys included, one per line, but the generated identifiers. */
function spokenText(events: readonly unknown[]): string {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        out.push(key);
        if (!GENERATED.test(key)) walk(v);
      }
    }
  };
  walk(events);
  return out.join('\n');
}

/** The processor hands events to the hub off the agent's thread: wait until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for events');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ended = (events: readonly { type: string }[]) => events.filter((e) => /^aaep:agent\.session\.(completed|errored)$/.test(e.type)).length;

function expectNoFragments(events: readonly unknown[], label = ''): void {
  const wire = spokenText(events);
  const leaks = SECRET_CORPUS.map(({ name, secret }) => ({ name, leaks: leakedFragments(wire, secret) })).filter((entry) => entry.leaks.length > 0);
  expect(leaks, label).toEqual([]);
}

/** One session that carries `inText` in every text channel a span has. */
async function sessionWithSecretEverywhere(tracer: Tracer, inText: string, n: number): Promise<void> {
  await tracer.startActiveSpan(
    'turn',
    {
      attributes: {
        'aaep.span.kind': 'session',
        'aaep.session.request': `Please ${inText}`,
        'aaep.agent.name': `Agent ${inText}`,
        'aaep.session.requested_by': `requested by ${inText}`,
        'aaep.session.tools': [inText, 'search'],
      },
    },
    async (session) => {
      await tracer.startActiveSpan(
        'tool',
        {
          attributes: {
            'aaep.span.kind': 'tool',
            'aaep.tool.name': inText,
            'aaep.tool.description': `Configures ${inText}`,
            // nested JSON: a JSON string inside the arguments
            'aaep.tool.arguments': JSON.stringify({ note: inText, password: inText, nested: JSON.stringify({ config: { text: inText } }) }),
          },
        },
        async (tool) => {
          tool.addEvent('aaep.progress', { 'aaep.progress.description': `step: ${inText}`, 'aaep.progress.percent': 50 });
          tool.setAttribute('aaep.tool.result', JSON.stringify({ log: inText }));
          tool.end();
        },
      );
      await tracer.startActiveSpan('failing', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'connect' } }, async (tool) => {
        tool.setStatus({ code: SpanStatusCode.ERROR, message: `could not connect: ${inText}` });
        tool.end();
      });
      await tracer.startActiveSpan('answer', { attributes: { 'aaep.span.kind': 'llm' } }, async (llm) => {
        // Streamed a few characters at a time, so secrets are split across tokens.
        const text = `Here is what you sent: ${inText}. Done.`;
        for (let i = 0; i < text.length; i += 5) llm.addEvent('aaep.output.chunk', { 'aaep.output.text': text.slice(i, i + 5) });
        llm.end();
      });
      session.addEvent('aaep.clarification.requested', {
        'aaep.clarification.reply_token': `rpl_q${n}`,
        'aaep.clarification.question': `Which one? ${inText}`,
        'aaep.clarification.choice_values': ['first', inText],
        'aaep.clarification.choice_labels': [inText, 'The other one'],
        'aaep.clarification.context': `context ${inText}`,
        'aaep.clarification.timeout_seconds': 30,
      });
      session.addEvent('aaep.clarification.resolved', { 'aaep.clarification.by': 'timeout', 'aaep.clarification.response': inText });
      session.addEvent('aaep.handoff.requested', {
        'aaep.handoff.reason': `needs a person: ${inText}`,
        'aaep.handoff.summary': `Handing over ${inText}`,
        'aaep.handoff.target_kind': 'human',
      });
      session.setStatus({ code: SpanStatusCode.ERROR, message: `failed with ${inText}` });
      session.end();
    },
  );
}

describe('secrets never reach the wire', () => {
  it(`hides all ${SECRET_CORPUS.length} secret shapes in every text channel of a session, read from a real SSE socket`, async () => {
    expect(SECRET_CORPUS.length).toBeGreaterThanOrEqual(80);
    harness = await startHarness();
    const { tracer, client } = harness;
    for (const [n, { inText }] of SECRET_CORPUS.entries()) await sessionWithSecretEverywhere(tracer, inText, n);
    await client.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.session.errored').length === SECRET_CORPUS.length);
    expectLegalStream(client.events);
    // Each channel was announced, so each was checked.
    const types = new Set(client.events.map((e) => e.type));
    for (const type of ['aaep:agent.tool.invoked', 'aaep:agent.tool.completed', 'aaep:agent.progress.updated', 'aaep:agent.output.streaming', 'aaep:agent.awaiting.clarification', 'aaep:agent.handoff.requested']) {
      expect(types, type).toContain(type);
    }
    expectNoFragments(client.events);
    expect(spokenText(client.events)).toContain(REDACTED);
  });

  it('hides every secret shape in streamed output split in two at every position', async () => {
    const aaep = new AaepSpanProcessor({ agentId: 'test-agent', agentName: 'Test agent' });
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    const tracer = provider.getTracer('test');
    const events = collectEvents(aaep.hub);
    for (const { inText } of SECRET_CORPUS) {
      const session = tracer.startSpan('turn', { attributes: { 'aaep.span.kind': 'session' } });
      const before = 'Here is what you sent: ';
      const text = `${before}${inText}. Done.`;
      // Every cut inside the secret's text, and at both its ends.
      for (let cut = before.length; cut <= before.length + inText.length; cut++) {
        const llm = tracer.startSpan('answer', { attributes: { 'aaep.span.kind': 'llm' } }, trace.setSpan(context.active(), session));
        llm.addEvent('aaep.output.chunk', { 'aaep.output.text': text.slice(0, cut) });
        llm.addEvent('aaep.output.chunk', { 'aaep.output.text': text.slice(cut) });
        llm.end();
      }
      session.end();
    }
    await until(() => ended(events) === SECRET_CORPUS.length);
    expect(events.filter((e) => e.type === 'aaep:agent.output.streaming').length).toBeGreaterThan(SECRET_CORPUS.length * 20);
    expectLegalStream(events);
    // Sessions come in corpus order; each is checked for its own secret (the whole stream is tens of MB).
    const sessions = [...new Set(events.map((e) => e.session_id))];
    expect(sessions.length).toBe(SECRET_CORPUS.length);
    const leaks = SECRET_CORPUS.map(({ name, secret }, i) => ({
      name,
      leaks: leakedFragments(spokenText(events.filter((e) => e.session_id === sessions[i])), secret),
    })).filter((entry) => entry.leaks.length > 0);
    expect(leaks).toEqual([]);
  }, 60_000);

  it('keeps a credential word with its value when a long run of output is cut at a word boundary', async () => {
    const aaep = new AaepSpanProcessor({ agentId: 'test-agent' });
    const tracer = new BasicTracerProvider({ spanProcessors: [aaep] }).getTracer('test');
    const events = collectEvents(aaep.hub);
    const session = tracer.startSpan('turn', { attributes: { 'aaep.span.kind': 'session' } });
    const llm = tracer.startSpan('answer', { attributes: { 'aaep.span.kind': 'llm' } }, trace.setSpan(context.active(), session));
    // No sentence end for over 4000 characters, so the translator announces up to a word boundary.
    llm.addEvent('aaep.output.chunk', { 'aaep.output.text': `${'words without an end '.repeat(200)}and the password is ` });
    llm.addEvent('aaep.output.chunk', { 'aaep.output.text': 'Zq8mK2#xW4 so log in' });
    llm.end();
    session.end();
    await until(() => ended(events) === 1);
    const chunks = events.filter((e) => e.type === 'aaep:agent.output.streaming').map((e) => e.chunk as string);
    expect(chunks.length).toBeGreaterThan(1);
    expect(leakedFragments(chunks.join('\n'), 'Zq8mK2#xW4')).toEqual([]);
    expect(chunks.join('')).toContain(`and the ${REDACTED} so log in`);
  });

  it('hides a secret given as the agentName option, on every event', async () => {
    const { secret, inText } = SECRET_CORPUS.find((shape) => shape.name === 'GitHub personal access token')!;
    const aaep = new AaepSpanProcessor({ agentId: 'test-agent', agentName: `Agent ${inText}` });
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    const events = collectEvents(aaep.hub);
    const session = provider.getTracer('test').startSpan('turn', { attributes: { 'aaep.span.kind': 'session' } });
    session.end();
    await until(() => ended(events) === 1);
    expect(leakedFragments(spokenText(events), secret)).toEqual([]);
    expect(spokenText(events)).toContain(REDACTED);
  });
});
