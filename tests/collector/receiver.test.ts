import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import type { Receiver } from '../../collector/startReceiver.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, sessionDone, type SseClient } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { collectEvents } from '../helpers/hubEvents.js';
import { agentTurn } from '../helpers/agentTurn.js';
import { finishedSpansOf } from '../helpers/finishedSpans.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function receiverWithClient(overrides: Parameters<typeof startTestReceiver>[0] = {}): Promise<{ receiver: Receiver; client: SseClient }> {
  const receiver = await startTestReceiver(overrides);
  cleanups.push(() => receiver.close());
  const client = await connectSse(`${receiver.url}/aaep/v1/events`);
  cleanups.push(() => client.close());
  return { receiver, client };
}

function bySession<E extends { session_id: string }>(events: readonly E[]): Map<string, E[]> {
  const sessions = new Map<string, E[]>();
  for (const event of events) sessions.set(event.session_id, [...(sessions.get(event.session_id) ?? []), event]);
  return sessions;
}

function providerExportingTo(exporter: SpanExporter, extra: AaepSpanProcessor[] = []) {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 20 }), ...extra] });
  cleanups.push(() => provider.shutdown());
  return provider;
}

describe('the receiver fed by the real OTLP exporters', () => {
  const exporters: Array<[string, (url: string) => SpanExporter]> = [
    ['JSON', (url) => new JsonExporter({ url })],
    ['JSON, gzip', (url) => new JsonExporter({ url, compression: CompressionAlgorithm.GZIP })],
    ['protobuf', (url) => new ProtoExporter({ url })],
    ['protobuf, gzip', (url) => new ProtoExporter({ url, compression: CompressionAlgorithm.GZIP })],
  ];
  for (const [name, make] of exporters) {
    it(`turns spans exported as ${name} into a legal, schema-valid AAEP stream`, async () => {
      const { receiver, client } = await receiverWithClient();
      const provider = providerExportingTo(make(`${receiver.url}/v1/traces`));
      await agentTurn(provider.getTracer('agent'));
      await provider.forceFlush();
      await client.waitFor(sessionDone());
      expectLegalStream(client.events);
      expect(client.events.map((e) => e.type.replace('aaep:agent.', ''))).toEqual([
        'session.started',
        'state.changed',
        'state.changed',
        'output.streaming',
        'output.streaming',
        'state.changed',
        'tool.invoked',
        'progress.updated',
        'tool.completed',
        'tool.invoked',
        'tool.completed',
        'session.completed',
      ]);
    });
  }

  for (const workers of [0, 2]) {
    it(`gives exactly the events the in-process processor gives for the same spans: same ids, order and content (${workers} translation workers)`, async () => {
      const { receiver, client } = await receiverWithClient({ workers });
      const inProcess = new AaepSpanProcessor({ agentId: 'aaep-otel-receiver' });
      const local = collectEvents(inProcess.hub);
      const provider = providerExportingTo(new ProtoExporter({ url: `${receiver.url}/v1/traces` }), [inProcess]);
      await agentTurn(provider.getTracer('agent'));
      await agentTurn(provider.getTracer('agent'));
      await provider.forceFlush();
      await client.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.session.completed').length === 2);
      await inProcess.forceFlush();
      expect(local.length).toBeGreaterThan(20);
      if (workers === 0) expect(client.events).toEqual(local);
      // Each trace is in one worker: each session in order, the two sessions interleaved as the workers finish.
      else expect(bySession(client.events)).toEqual(bySession(local));
    });
  }

  it('produces no duplicate event when an export is delivered twice', async () => {
    const { receiver, client } = await receiverWithClient();
    const exporter = new ProtoExporter({ url: `${receiver.url}/v1/traces` });
    cleanups.push(() => exporter.shutdown());
    const spans = await finishedSpansOf(agentTurn);
    // The exporter's retry: the same spans again, as the same kind of request.
    for (let attempt = 0; attempt < 3; attempt++) await new Promise<void>((resolve) => exporter.export(spans, () => resolve()));
    await client.waitFor(sessionDone());
    const heard = client.events.length;
    await new Promise<void>((resolve) => exporter.export(spans, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expectLegalStream(client.events);
    expect(client.events.length).toBe(heard);
    expect(new Set(client.events.map((e) => e.event_id)).size).toBe(heard);
  });
});
