import { connect, type Socket } from 'node:net';
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Receiver } from '../../collector/startReceiver.js';
import { finishedSpansOf } from '../helpers/finishedSpans.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const INGEST_TOKEN = 'slow-clients-ingest';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A raw TCP client that sends headers, then a body one byte at a time, and records what it hears back. */
interface SlowUpload {
  readonly socket: Socket;
  /** Everything the server sent. */
  heard(): string;
  readonly closed: Promise<void>;
}

async function slowUpload(receiver: Receiver, head: string, everyMs: number): Promise<SlowUpload> {
  const socket = connect(receiver.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let heard = '';
  socket.on('data', (chunk: Buffer) => (heard += chunk.toString('latin1')));
  socket.on('error', () => {});
  const trickle = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write('x');
  }, everyMs);
  const closed = new Promise<void>((resolve) => socket.once('close', () => {
    clearInterval(trickle);
    resolve();
  }));
  cleanups.push(() => {
    clearInterval(trickle);
    socket.destroy();
  });
  socket.write(head);
  socket.write('x');
  return { socket, heard: () => heard, closed };
}

const uploadHead = (token: string, length = 100_000) =>
  `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${length}\r\n\r\n`;


const turn = (request: string) => (tracer: Tracer) =>
  tracer.startActiveSpan('invoke_agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': request } }, async (session) => {
    await tracer.startActiveSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'aaep.llm.output': 'Done.' } }, async (llm) => llm.end());
    session.end();
  });

describe('the receiver under slow uploads', () => {
  it('answers a normal exporter 200 while 64 uploads trickle one byte every few seconds, then cuts the slow ones off at the body deadline', async () => {
    const bodyTimeoutMs = 4_000;
    const receiver = await startTestReceiver({ ingestToken: INGEST_TOKEN, bodyTimeoutMs });
    cleanups.push(() => receiver.close());
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());

    const slow = await Promise.all(Array.from({ length: 64 }, () => slowUpload(receiver, uploadHead(INGEST_TOKEN), 2_000)));
    const exporter = new ProtoExporter({ url: `${receiver.url}/v1/traces`, headers: { Authorization: `Bearer ${INGEST_TOKEN}` }, timeoutMillis: 3_000 });
    cleanups.push(() => exporter.shutdown());
    const spans = await finishedSpansOf(turn('Weather in Oslo'));
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    // Answered while every slow upload is still open and unanswered.
    expect(slow.filter((upload) => upload.socket.destroyed || upload.heard() !== '')).toEqual([]);
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);

    await Promise.all(slow.map((upload) => upload.closed));
    for (const upload of slow) expect(upload.heard()).toMatch(/^HTTP\/1\.1 408 /);
    // Nothing of theirs stays counted: a full-size export still gets through.
    const after = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    expect(after.code).toBe(ExportResultCode.SUCCESS);
  }, 30_000);

  it('bounds what uploads in progress may hold: past the byte bound a new export gets 429 with Retry-After, and the others keep going', async () => {
    const receiver = await startTestReceiver({ ingestToken: INGEST_TOKEN, maxPendingBytes: 4096, bodyTimeoutMs: 2_000 });
    cleanups.push(() => receiver.close());
    // Two uploads of 3500 bytes that send 3001 and stall: together over the bound.
    const stalled = await Promise.all([1, 2].map(async () => {
      const upload = await slowUpload(receiver, uploadHead(INGEST_TOKEN, 3500), 60_000);
      upload.socket.write('y'.repeat(3000));
      return upload;
    }));
    await Promise.race(stalled.map((upload) => upload.closed));
    const refused = stalled.filter((upload) => /^HTTP\/1\.1 429 /.test(upload.heard()));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.heard()).toMatch(/\r\nretry-after: 2\r\n/i);
    // The one under the bound is not refused; it is cut off at its deadline instead.
    const other = stalled.find((upload) => !refused.includes(upload))!;
    await other.closed;
    expect(other.heard()).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);

  it('answers a client that never finishes its headers 408 and closes the connection', async () => {
    const receiver = await startTestReceiver({ headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    cleanups.push(() => receiver.close());
    const socket = connect(receiver.port, '127.0.0.1');
    let heard = '';
    socket.on('data', (chunk: Buffer) => (heard += chunk.toString('latin1')));
    socket.on('error', () => {});
    cleanups.push(() => socket.destroy());
    socket.write('POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(heard).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);
});
