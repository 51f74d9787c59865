import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_CORPUS } from './helpers/secretCorpus.js';
import { startHarness, type Harness } from './helpers/harness.js';
import { sessionDone } from './helpers/sseClient.js';
import { expectLegalStream } from './helpers/streamRules.js';

let harness: Harness;
afterEach(async () => {
  await harness?.close();
});

describe('secrets never reach the wire', () => {
  it('hides every secret shape in requests, tool arguments, results, errors and streamed output', async () => {
    harness = await startHarness();
    const { tracer } = harness;
    for (const { inText } of SECRET_CORPUS) {
      await tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': `Please ${inText}` } }, async (session) => {
        await tracer.startActiveSpan('tool', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'configure', 'aaep.tool.arguments': JSON.stringify({ note: inText, password: inText }) } }, async (tool) => {
          tool.setAttribute('aaep.tool.result', JSON.stringify({ log: inText }));
          tool.end();
        });
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
        session.setStatus({ code: SpanStatusCode.ERROR, message: `failed with ${inText}` });
        session.end();
      });
    }
    await harness.client.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.session.errored').length === SECRET_CORPUS.length);
    expectLegalStream(harness.client.events);
    const wire = JSON.stringify(harness.client.events);
    for (const { name, secret } of SECRET_CORPUS) {
      expect(wire, name).not.toContain(secret);
      // Nor any long piece of it.
      for (let i = 0; i + 12 <= secret.length; i += 4) expect(wire, `${name}: ${secret.slice(i, i + 12)}`).not.toContain(secret.slice(i, i + 12));
    }
    expect(wire).toContain('a credential (hidden)');
    void sessionDone;
  });
});
