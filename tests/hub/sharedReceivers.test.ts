import * as grpc from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../collector/startReceiver.js';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { agentTurn } from '../helpers/agentTurn.js';
import { finishedSpansOf } from '../helpers/finishedSpans.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const redis = useRedisServer();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function sharedReceiver(): Promise<Receiver> {
  const receiver = await startTestReceiver({ hubUrl: redis.url, grpcPort: 0 });
  cleanups.push(() => receiver.close());
  await receiver.backend.ready();
  return receiver;
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: ExportResultCode; error?: Error }> {
  cleanups.push(() => exporter.shutdown());
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function readiness(receiver: Receiver): Promise<{ status: number; body: { status: string } }> {
  const response = await fetch(`${receiver.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string } };
}

async function until(predicate: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('receivers sharing a hub on Redis', () => {
  it('lets a subscriber of one receiver hear a trace exported to another, and resume on a third', async () => {
    const a = await sharedReceiver();
    const b = await sharedReceiver();
    const onB = await connectSse(`${b.url}/aaep/v1/events`);
    cleanups.push(() => onB.close());
    const result = await exportWith(new GrpcExporter({ url: `http://127.0.0.1:${a.grpcPort}` }), await finishedSpansOf(agentTurn));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    await onB.waitFor(sessionDone());
    expectLegalStream(onB.events);
    const c = await sharedReceiver();
    const resumed = await connectSse(`${c.url}/aaep/v1/events`, { lastEventId: onB.ids[2]! });
    cleanups.push(() => resumed.close());
    await resumed.waitFor((events) => events.length === onB.events.length - 3);
    expect([...onB.ids.slice(0, 3), ...resumed.ids]).toEqual(onB.ids);
  });

  it('stores a trace exported to two receivers once', async () => {
    const a = await sharedReceiver();
    const b = await sharedReceiver();
    const listener = await connectSse(`${a.url}/aaep/v1/events`);
    cleanups.push(() => listener.close());
    const spans = await finishedSpansOf(agentTurn);
    await exportWith(new ProtoExporter({ url: `${a.url}/v1/traces` }), spans);
    await exportWith(new ProtoExporter({ url: `${b.url}/v1/traces` }), spans);
    await listener.waitFor(sessionDone());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectLegalStream(listener.events);
    expect(new Set(listener.ids).size).toBe(listener.ids.length);
  });

  it('feeds the same shared stream from an in-process AaepSpanProcessor', async () => {
    const receiver = await sharedReceiver();
    const listener = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => listener.close());
    const processor = new AaepSpanProcessor({ hubUrl: redis.url });
    await processor.backend.ready();
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    await agentTurn(provider.getTracer('agent'));
    await listener.waitFor(sessionDone());
    expectLegalStream(listener.events);
  });

  it('while Redis is down: is not ready, answers exports with 503 / UNAVAILABLE, and serves again once Redis is back', async () => {
    const receiver = await sharedReceiver();
    const listener = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => listener.close());
    expect((await readiness(receiver)).status).toBe(200);
    await redis.kill();
    await until(async () => (await readiness(receiver)).status === 503);
    expect((await readiness(receiver)).body.status).toBe('hub unavailable');
    const spans = await finishedSpansOf(agentTurn);
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    const http = await fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body });
    expect(http.status).toBe(503);
    expect(http.headers.get('retry-after')).not.toBeNull();
    const overGrpc = await new Promise<grpc.ServiceError | null>((resolve) => {
      const client = new grpc.Client(`127.0.0.1:${receiver.grpcPort}`, grpc.credentials.createInsecure());
      cleanups.push(() => client.close());
      client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), (error) => resolve(error));
    });
    expect(overGrpc?.code).toBe(grpc.status.UNAVAILABLE);
    // The real exporter retries 503; Redis comes back meanwhile and the export lands whole.
    const exporting = exportWith(new ProtoExporter({ url: `${receiver.url}/v1/traces` }), spans);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.restart();
    await until(async () => (await readiness(receiver)).status === 200);
    expect((await exporting).code).toBe(ExportResultCode.SUCCESS);
    await listener.waitFor(sessionDone());
    expectLegalStream(listener.events);
  });
});
