import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpTraceHandler } from '../../../src/sources/otlp/createOtlpTraceHandler.js';
import { decodeStatus } from '../../../src/sources/otlp/otlpProtobuf.js';
import { TraceAssembler } from '../../../src/sources/otlp/TraceAssembler.js';
import { Translator } from '../../../src/translate/index.js';
import type { Receiver } from '../../../collector/startReceiver.js';
import { startTestReceiver } from '../../helpers/receiver.js';
import { connectSse, sessionDone } from '../../helpers/sseClient.js';
import { expectLegalStream } from '../../helpers/streamRules.js';

const v1 = (generated as unknown as { opentelemetry: { proto: { collector: { trace: { v1: Record<string, { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array }; decode(b: Uint8Array): Record<string, unknown> }> } } } } }).opentelemetry.proto.collector.trace.v1;

let receiver: Receiver | undefined;
const servers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  while (servers.length > 0) await servers.pop()!();
});

const NOW = BigInt(Date.now()) * 1_000_000n;
const TRACE = '5b8efff798038103d269b633813fc60c';

function jsonSpan(spanId: string, parentSpanId: string | undefined, name: string, attributes: Record<string, string>, startOffsetMs: number, endOffsetMs: number, extra: Record<string, unknown> = {}) {
  return {
    traceId: TRACE,
    spanId,
    ...(parentSpanId !== undefined && { parentSpanId }),
    name,
    kind: 1,
    startTimeUnixNano: String(NOW + BigInt(startOffsetMs) * 1_000_000n),
    endTimeUnixNano: String(NOW + BigInt(endOffsetMs) * 1_000_000n),
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
    status: {},
    ...extra,
  };
}

const request = (spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] });

async function post(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response> {
  return fetch(`${receiver!.url}${path}`, { method: 'POST', headers, body });
}

describe('POST /v1/traces', () => {
  it('accepts spans of one trace across several batches, children first, and still streams a legal session', async () => {
    receiver = await startTestReceiver();
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    const session = jsonSpan('a000000000000001', undefined, 'invoke_agent', { 'gen_ai.operation.name': 'invoke_agent' }, 0, 50);
    const llm = jsonSpan('a000000000000002', 'a000000000000001', 'chat', { 'gen_ai.operation.name': 'chat', 'aaep.llm.output': 'All done.' }, 5, 10);
    const tool = jsonSpan('a000000000000004', 'a000000000000003', 'execute_tool lookup', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' }, 21, 30);
    const step = jsonSpan('a000000000000003', 'a000000000000001', 'step', {}, 20, 40);
    for (const batch of [[tool], [llm, step], [session]]) {
      const response = await post('/v1/traces', JSON.stringify(request(batch)), { 'Content-Type': 'application/json' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
    }
    await client.waitFor(sessionDone());
    client.close();
    expectLegalStream(client.events);
    expect(client.events.map((e) => e.type.replace('aaep:agent.', ''))).toEqual([
      'session.started', 'state.changed', 'state.changed', 'output.streaming', 'state.changed', 'tool.invoked', 'tool.completed', 'session.completed',
    ]);
  });

  it('reports invalid spans in partial_success and keeps the valid ones (JSON)', async () => {
    receiver = await startTestReceiver();
    const good = jsonSpan('b000000000000001', undefined, 'invoke_agent', { 'gen_ai.operation.name': 'invoke_agent' }, 0, 5);
    const badId = { ...good, spanId: 'xyz' };
    const badTime = { ...good, spanId: 'b000000000000002', endTimeUnixNano: '1' };
    const response = await post('/v1/traces', JSON.stringify(request([good, badId, badTime])), { 'Content-Type': 'application/json' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('2');
    expect(body.partialSuccess.errorMessage).toMatch(/invalid spanId.*endTimeUnixNano/);
  });

  it('reports invalid spans in partial_success in protobuf for a protobuf request', async () => {
    receiver = await startTestReceiver();
    const message = v1.ExportTraceServiceRequest!.fromObject(request([{ traceId: Buffer.alloc(16, 0), spanId: Buffer.alloc(8, 1), name: 'zero trace', startTimeUnixNano: '1', endTimeUnixNano: '2' }]));
    const response = await post('/v1/traces', v1.ExportTraceServiceRequest!.encode(message).finish(), { 'Content-Type': 'application/x-protobuf' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-protobuf');
    const decoded = v1.ExportTraceServiceResponse!.decode(new Uint8Array(await response.arrayBuffer())) as { partialSuccess?: { rejectedSpans: { low: number }; errorMessage: string } };
    expect(Number(decoded.partialSuccess?.rejectedSpans.low)).toBe(1);
    expect(decoded.partialSuccess?.errorMessage).toContain('invalid traceId');
  });

  it('answers undecodable bodies with 400 and a google.rpc.Status in the request encoding', async () => {
    receiver = await startTestReceiver();
    const garbled = await post('/v1/traces', new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]), { 'Content-Type': 'application/x-protobuf' });
    expect(garbled.status).toBe(400);
    const status = decodeStatus(new Uint8Array(await garbled.arrayBuffer()));
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/not a valid protobuf ExportTraceServiceRequest/);
    const badJson = await post('/v1/traces', '{"resourceSpans": [', { 'Content-Type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ code: 3, message: expect.stringMatching(/not a valid JSON/) });
    const wrongShape = await post('/v1/traces', '{"resourceSpans": {"a": 1}}', { 'Content-Type': 'application/json' });
    expect(wrongShape.status).toBe(400);
    expect(await wrongShape.json()).toMatchObject({ code: 3, message: expect.stringMatching(/resourceSpans must be an array/) });
    const badGzip = await post('/v1/traces', new Uint8Array([1, 2, 3]), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
  });

  it('answers other media types and encodings with 415', async () => {
    receiver = await startTestReceiver();
    const text = await post('/v1/traces', 'hello', { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ code: 3, message: expect.stringContaining('Content-Type') });
    const brotli = await post('/v1/traces', '{}', { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' });
    expect(brotli.status).toBe(415);
  });

  it('answers bodies above the limit with 413, compressed or not', async () => {
    receiver = await startTestReceiver({ maxBodyBytes: 4096 });
    const big = JSON.stringify(request([jsonSpan('c000000000000001', undefined, 'x'.repeat(10_000), {}, 0, 1)]));
    expect((await post('/v1/traces', big, { 'Content-Type': 'application/json' })).status).toBe(413);
    const zipped = gzipSync(big);
    expect(zipped.length).toBeLessThan(4096);
    const response = await post('/v1/traces', zipped, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 3 });
  });

  it('turns exports away with 429 and Retry-After when too many export bytes are in progress', async () => {
    const translator = new Translator({ producer: { agent_id: 't' }, emit: () => {} });
    const start = async (options: Parameters<typeof createOtlpTraceHandler>[0]) => {
      const app = express().use(createOtlpTraceHandler(options));
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      servers.push(() => new Promise((resolve) => server.close(() => resolve())));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
    };
    const busy = await start({ assembler: new TraceAssembler(translator), maxPendingBytes: 10, retryAfterSeconds: 7 });
    const tooMany = await fetch(busy, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: new Uint8Array(100) });
    expect(tooMany.status).toBe(429);
    expect(tooMany.headers.get('retry-after')).toBe('7');
    expect(decodeStatus(new Uint8Array(await tooMany.arrayBuffer())).code).toBe(8);
  });

  it('refuses the spans of sessions beyond the bound in partial_success (protobuf too) and takes new sessions once one ends', async () => {
    receiver = await startTestReceiver({ maxSessions: 1 });
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    const signal = jsonSpan('e000000000000001', 'a100000000000001', 'aaep.signal', {
      'gen_ai.operation.name': 'invoke_agent',
      'aaep.signal': 'start',
      'aaep.signal.span_id': 'a100000000000001',
      'aaep.signal.name': 'invoke_agent',
    }, 0, 0);
    expect(await (await post('/v1/traces', JSON.stringify(request([signal])), { 'Content-Type': 'application/json' })).json()).toEqual({});
    const second = jsonSpan('a200000000000001', undefined, 'invoke_agent', { 'gen_ai.operation.name': 'invoke_agent' }, 1, 9);
    const child = jsonSpan('a200000000000002', 'a200000000000001', 'execute_tool lookup', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' }, 2, 3);
    // The same spans in protobuf: ids as bytes.
    const bytes = (id: string | undefined) => (id === undefined ? undefined : Buffer.from(id, 'hex'));
    const toProto = (spans: Array<ReturnType<typeof jsonSpan>>) =>
      v1.ExportTraceServiceRequest!.encode(
        v1.ExportTraceServiceRequest!.fromObject(request(spans.map((span) => ({ ...span, traceId: bytes(span.traceId), spanId: bytes(span.spanId), parentSpanId: bytes(span.parentSpanId) })))),
      ).finish();
    const refused = await post('/v1/traces', toProto([child, second]), { 'Content-Type': 'application/x-protobuf' });
    expect(refused.status).toBe(200);
    const decoded = v1.ExportTraceServiceResponse!.decode(new Uint8Array(await refused.arrayBuffer())) as { partialSuccess?: { rejectedSpans: { low: number }; errorMessage: string } };
    expect(Number(decoded.partialSuccess?.rejectedSpans.low)).toBe(2);
    expect(decoded.partialSuccess?.errorMessage).toContain('AAEP_MAX_SESSIONS');

    // The open session ends; a new one is taken and heard.
    const first = jsonSpan('a100000000000001', undefined, 'invoke_agent', { 'gen_ai.operation.name': 'invoke_agent' }, 0, 10);
    const third = jsonSpan('a300000000000001', undefined, 'invoke_agent', { 'gen_ai.operation.name': 'invoke_agent' }, 11, 12);
    expect(await (await post('/v1/traces', JSON.stringify(request([first])), { 'Content-Type': 'application/json' })).json()).toEqual({});
    expect(await (await post('/v1/traces', JSON.stringify(request([third])), { 'Content-Type': 'application/json' })).json()).toEqual({});
    await client.waitFor((events) => events.filter((event) => event.type === 'aaep:agent.session.completed').length === 2);
    client.close();
    expectLegalStream(client.events);
    expect(new Set(client.events.map((event) => event.session_id))).toEqual(new Set([`sess_${TRACE}a100000000000001`, `sess_${TRACE}a300000000000001`]));
  });

  it('answers an empty export with an empty success', async () => {
    receiver = await startTestReceiver();
    const response = await post('/v1/traces', new Uint8Array(), { 'Content-Type': 'application/x-protobuf' });
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer()).length).toBe(0);
  });
});
