import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../collector/startReceiver.js';
import { OTLP_GRPC_EXPORT_PATH } from '../../src/sources/otlp/startOtlpGrpcServer.js';
import { agentTurn } from '../helpers/agentTurn.js';
import { finishedSpansOf } from '../helpers/finishedSpans.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, sessionDone, type SseClient } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

type MessageType = { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): Record<string, unknown> };
const v1 = (generated as unknown as { opentelemetry: { proto: { collector: { trace: { v1: Record<'ExportTraceServiceRequest' | 'ExportTraceServiceResponse', MessageType> } } } } }).opentelemetry.proto.collector.trace.v1;

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function grpcReceiver(token?: string): Promise<{ receiver: Receiver; client: SseClient; target: string }> {
  const receiver = await startTestReceiver({ grpcPort: 0, ...(token !== undefined && { token }) });
  cleanups.push(() => receiver.close());
  const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  const client = await connectSse(`${receiver.url}/aaep/v1/events`, { headers });
  cleanups.push(() => client.close());
  return { receiver, client, target: `127.0.0.1:${receiver.grpcPort}` };
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: ExportResultCode; error?: Error }> {
  cleanups.push(() => exporter.shutdown());
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** A bare gRPC call to the trace service, to see status codes the exporter only summarises. */
function rawExport(target: string, message: Buffer, metadata = new grpc.Metadata(), options: grpc.ClientOptions = {}): Promise<{ error: grpc.ServiceError | null; response: Buffer | undefined }> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), options);
  cleanups.push(() => client.close());
  return new Promise((resolve) => {
    client.makeUnaryRequest(OTLP_GRPC_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, message, metadata, (error, response) => resolve({ error, response }));
  });
}

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

describe('OTLP/gRPC on the receiver', () => {
  it('is off unless a gRPC port is configured', async () => {
    const receiver = await startTestReceiver();
    cleanups.push(() => receiver.close());
    expect(receiver.grpcPort).toBeUndefined();
  });

  for (const [name, compression] of [['uncompressed', CompressionAlgorithm.NONE], ['gzip', CompressionAlgorithm.GZIP]] as const) {
    it(`hears from the real gRPC exporter (${name}) the same stream as from the OTLP/HTTP exporter`, async () => {
      const spans = await finishedSpansOf(agentTurn);
      const overGrpc = await grpcReceiver();
      const overHttp = await grpcReceiver();
      const grpcResult = await exportWith(new GrpcExporter({ url: `http://${overGrpc.target}`, compression }), spans);
      const httpResult = await exportWith(new ProtoExporter({ url: `${overHttp.receiver.url}/v1/traces` }), spans);
      expect(grpcResult.code).toBe(ExportResultCode.SUCCESS);
      expect(httpResult.code).toBe(ExportResultCode.SUCCESS);
      await overGrpc.client.waitFor(sessionDone());
      await overHttp.client.waitFor(sessionDone());
      expectLegalStream(overGrpc.client.events);
      expect(overGrpc.client.events.length).toBeGreaterThan(10);
      expect(overGrpc.client.events).toEqual(overHttp.client.events);
    });
  }

  it('refuses a wrong token with UNAUTHENTICATED and publishes nothing', async () => {
    const { client, target } = await grpcReceiver('s3cret-ingest');
    const spans = await finishedSpansOf(agentTurn);
    const message = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    const refused = await rawExport(target, message, bearer('guess'));
    expect(refused.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const missing = await rawExport(target, message);
    expect(missing.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const exporterResult = await exportWith(new GrpcExporter({ url: `http://${target}`, metadata: bearer('guess') }), spans);
    expect(exporterResult.code).toBe(ExportResultCode.FAILED);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.events).toEqual([]);
    const accepted = await exportWith(new GrpcExporter({ url: `http://${target}`, metadata: bearer('s3cret-ingest') }), spans);
    expect(accepted.code).toBe(ExportResultCode.SUCCESS);
    await client.waitFor(sessionDone());
  });

  it('answers INVALID_ARGUMENT, with the reason, to a message that is not an ExportTraceServiceRequest', async () => {
    const { client, target } = await grpcReceiver();
    const { error } = await rawExport(target, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/not a valid ExportTraceServiceRequest/);
    expect(client.events).toEqual([]);
  });

  it('reports invalid spans as partial success and translates the rest', async () => {
    const { client, target } = await grpcReceiver();
    const spans = await finishedSpansOf(agentTurn);
    const request = v1.ExportTraceServiceRequest.decode(ProtobufTraceSerializer.serializeRequest(spans)!) as { resourceSpans: unknown[] };
    // One more span, with an all-zero trace id: rejected, while the turn's spans still count.
    request.resourceSpans.push({ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 0), spanId: Buffer.alloc(8, 1), name: 'zero trace', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] });
    const message = Buffer.from(v1.ExportTraceServiceRequest.encode(v1.ExportTraceServiceRequest.fromObject(request)).finish());
    const { error, response } = await rawExport(target, message);
    expect(error).toBeNull();
    const decoded = v1.ExportTraceServiceResponse.decode(response!) as { partialSuccess?: { rejectedSpans: { low: number }; errorMessage: string } };
    expect(Number(decoded.partialSuccess?.rejectedSpans.low)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toContain('invalid traceId');
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
  });

  it('refuses the spans of a trace beyond its held-span bound in partial success, as OTLP/HTTP does, and translates other traces', async () => {
    const receiver = await startTestReceiver({ grpcPort: 0, maxHeldSpansPerTrace: 2 });
    cleanups.push(() => receiver.close());
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());
    const target = `127.0.0.1:${receiver.grpcPort}`;
    // Three children of a parent that never arrives: two are held, the third is refused.
    const orphan = (n: number) => ({ traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, n), parentSpanId: Buffer.alloc(8, 9), name: `orphan ${n}`, startTimeUnixNano: '1', endTimeUnixNano: '2' });
    const orphans = Buffer.from(v1.ExportTraceServiceRequest.encode(v1.ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [1, 2, 3].map(orphan) }] }] })).finish());
    const { error, response } = await rawExport(target, orphans);
    expect(error).toBeNull();
    const decoded = v1.ExportTraceServiceResponse.decode(response!) as { partialSuccess?: { rejectedSpans: { low: number }; errorMessage: string } };
    expect(Number(decoded.partialSuccess?.rejectedSpans.low)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toContain('AAEP_MAX_HELD_SPANS_PER_TRACE');
    const normal = await rawExport(target, Buffer.from(ProtobufTraceSerializer.serializeRequest(await finishedSpansOf(agentTurn))!));
    expect(normal.error).toBeNull();
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
  });

  it('refuses a message larger than the body limit, compressed or once decompressed, with RESOURCE_EXHAUSTED', async () => {
    const receiver = await startTestReceiver({ grpcPort: 0, maxBodyBytes: 64 * 1024 });
    cleanups.push(() => receiver.close());
    const target = `127.0.0.1:${receiver.grpcPort}`;
    // Zeros: a huge message that gzips to almost nothing (a decompression bomb).
    const big = Buffer.alloc(256 * 1024);
    expect(gzipSync(big).length).toBeLessThan(64 * 1024);
    const plain = await rawExport(target, big);
    expect(plain.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const compressed = await rawExport(target, big, new grpc.Metadata(), { 'grpc.default_compression_algorithm': 2 });
    expect(compressed.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});
