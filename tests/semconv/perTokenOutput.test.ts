import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { collectEvents } from '../helpers/hubEvents.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, sessionDone, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** How a model streams: one token per event, spaces as tokens of their own. */
const TOKENS = ['It', ' ', 'snows', ' ', 'in', ' ', 'Oslo', '.', ' ', 'Tomorrow', ' ', 'too', '.'];

async function perTokenTurn(tracer: Tracer): Promise<void> {
  await tracer.startActiveSpan('invoke_agent weather', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': 'Weather in Oslo' } }, async (session) => {
    await tracer.startActiveSpan('chat model', { attributes: { 'gen_ai.operation.name': 'chat' } }, async (llm) => {
      for (const token of TOKENS) llm.addEvent('aaep.output.chunk', { 'aaep.output.text': token });
      llm.end();
    });
    session.end();
  });
}

function chunks(events: readonly WireEvent[]): string[] {
  return events.filter((event) => event.type === 'aaep:agent.output.streaming').map((event) => String(event.chunk));
}

/** The first sentence is announced when the space after its full stop arrives, not with the next one. */
const EXPECTED_CHUNKS = ['It snows in Oslo. ', 'Tomorrow too.'];

describe('a per-token output stream', () => {
  it('keeps whitespace-only tokens and ends sentences where they end, in process', async () => {
    const aaep = new AaepSpanProcessor({ agentId: 'per-token' });
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    cleanups.push(() => provider.shutdown());
    const events = collectEvents(aaep.hub);
    await perTokenTurn(provider.getTracer('agent'));
    await aaep.forceFlush();
    expect(chunks(events)).toEqual(EXPECTED_CHUNKS);
    expectLegalStream(events);
  });

  it('keeps whitespace-only tokens and ends sentences where they end, through the receiver', async () => {
    const receiver = await startTestReceiver();
    cleanups.push(() => receiver.close());
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }))] });
    cleanups.push(() => provider.shutdown());
    await perTokenTurn(provider.getTracer('agent'));
    await provider.forceFlush();
    await client.waitFor(sessionDone());
    expect(chunks(client.events)).toEqual(EXPECTED_CHUNKS);
    expectLegalStream(client.events);
  });
});
