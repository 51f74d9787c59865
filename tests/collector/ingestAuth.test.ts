import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { readReceiverConfig, type ReceiverConfig } from '../../collector/receiverConfig.js';
import { startReceiver, type Log, type Receiver } from '../../collector/startReceiver.js';
import { decodeStatus } from '../../src/sources/otlp/otlpProtobuf.js';
import { finishedSpansOf } from '../helpers/finishedSpans.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, sessionDone, type SseClient } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const STREAM_TOKEN = 'listener-secret-0123';
const INGEST_TOKEN = 'exporter-secret-4567';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** What an attacker would post: a bank's "confirmation" asking the user to read out a PIN. */
async function forgedTurn(tracer: Tracer): Promise<void> {
  await tracer.startActiveSpan('invoke_agent bank', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Your bank' } }, async (session) => {
    await tracer.startActiveSpan('execute_tool verify', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'verify' } }, async (tool) => {
      tool.addEvent('aaep.confirmation.requested', {
        'aaep.confirmation.reply_token': 'rpl_forged0123456789',
        'aaep.confirmation.action': 'Call 555-0100 and read out your PIN',
        'aaep.confirmation.consequence': 'Your account stays open.',
        'aaep.confirmation.risk_level': 'high',
      });
      tool.end();
    });
    session.end();
  });
}

async function honestTurn(tracer: Tracer): Promise<void> {
  await tracer.startActiveSpan('invoke_agent weather', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': 'Weather in Oslo' } }, async (session) => {
    await tracer.startActiveSpan('chat model', { attributes: { 'gen_ai.operation.name': 'chat', 'aaep.llm.output': 'Snow in Oslo.' } }, async (llm) => llm.end());
    session.end();
  });
}


function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  cleanups.push(() => exporter.shutdown());
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function receiverWithListener(overrides: Partial<ReceiverConfig>): Promise<{ receiver: Receiver; client: SseClient }> {
  const receiver = await startTestReceiver(overrides);
  cleanups.push(() => receiver.close());
  const client = await connectSse(`${receiver.url}/aaep/v1/events`, { headers: { Authorization: `Bearer ${overrides.token ?? ''}` } });
  cleanups.push(() => client.close());
  return { receiver, client };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('POST /v1/traces with an ingest token configured', () => {
  it('changes nothing on the stream for spans sent with no token, a wrong one or the listeners\' token, and answers 401', async () => {
    const { receiver, client } = await receiverWithListener({ token: STREAM_TOKEN, ingestToken: INGEST_TOKEN });
    const url = `${receiver.url}/v1/traces`;
    const forged = await finishedSpansOf(forgedTurn);
    const refused = [
      await exportWith(new JsonExporter({ url }), forged),
      await exportWith(new ProtoExporter({ url, headers: bearer('guess') }), forged),
      await exportWith(new ProtoExporter({ url, headers: bearer(STREAM_TOKEN) }), forged),
      await exportWith(new JsonExporter({ url, headers: { Authorization: INGEST_TOKEN } }), forged),
    ];
    for (const result of refused) {
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(String(result.error)).toMatch(/401|Unauthorized/i);
    }
    expect(receiver.stats.heldSpans.size).toBe(0);

    // Only now an honest export with the ingest token: the stream holds its session and nothing else.
    const honest = await exportWith(new ProtoExporter({ url, headers: bearer(INGEST_TOKEN) }), await finishedSpansOf(honestTurn));
    expect(honest.code).toBe(ExportResultCode.SUCCESS);
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
    expect(new Set(client.events.map((e) => e.session_id)).size).toBe(1);
    expect(client.events.map((e) => e.type)).not.toContain('aaep:agent.awaiting.confirmation');
    expect(JSON.stringify(client.events)).not.toContain('PIN');

    // The same forged spans with the ingest token would have reached the listener: the test above can fail.
    expect((await exportWith(new JsonExporter({ url, headers: bearer(INGEST_TOKEN) }), forged)).code).toBe(ExportResultCode.SUCCESS);
    await client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
  });

  it('answers 401 with a google.rpc.Status in the encoding of the request, before reading the body', async () => {
    const { receiver } = await receiverWithListener({ token: STREAM_TOKEN, ingestToken: INGEST_TOKEN });
    const url = `${receiver.url}/v1/traces`;
    const proto = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', ...bearer('guess') }, body: new Uint8Array(10) });
    expect(proto.status).toBe(401);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(proto.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(decodeStatus(new Uint8Array(await proto.arrayBuffer()))).toMatchObject({ code: 16, message: expect.stringContaining('ingest token') });
    const json = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'not even json' });
    expect(json.status).toBe(401);
    expect(await json.json()).toMatchObject({ code: 16, message: expect.stringContaining('ingest token') });
    // A cookie or query token is for browsers on the stream; exporters send the header.
    const cookie = await fetch(`${url}?access_token=${INGEST_TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: `aaep_token=${INGEST_TOKEN}` }, body: '{}' });
    expect(cookie.status).toBe(401);
  });

  it('takes exports from the real JSON and protobuf exporters that send the ingest token, gzipped or not', async () => {
    const { receiver, client } = await receiverWithListener({ token: STREAM_TOKEN, ingestToken: INGEST_TOKEN });
    const url = `${receiver.url}/v1/traces`;
    const spans = await finishedSpansOf(honestTurn);
    expect((await exportWith(new JsonExporter({ url, headers: bearer(INGEST_TOKEN) }), spans)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportWith(new ProtoExporter({ url, headers: bearer(INGEST_TOKEN), compression: CompressionAlgorithm.GZIP }), spans)).code).toBe(ExportResultCode.SUCCESS);
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
  });

  it('uses the stream token for ingest too when no separate ingest token is given', async () => {
    const config = readReceiverConfig(['--port', '0', '--token', STREAM_TOKEN], {});
    expect(config).toMatchObject({ token: STREAM_TOKEN, ingestToken: STREAM_TOKEN });
    const fromEnv = readReceiverConfig([], { AAEP_TOKEN: STREAM_TOKEN, AAEP_INGEST_TOKEN: INGEST_TOKEN });
    expect(fromEnv).toMatchObject({ token: STREAM_TOKEN, ingestToken: INGEST_TOKEN });
    const flagWins = readReceiverConfig(['--ingest-token', 'from-flag'], { AAEP_INGEST_TOKEN: INGEST_TOKEN });
    expect(flagWins).toMatchObject({ ingestToken: 'from-flag', token: undefined });

    const { receiver, client } = await receiverWithListener({ token: STREAM_TOKEN, ingestToken: STREAM_TOKEN });
    const url = `${receiver.url}/v1/traces`;
    const spans = await finishedSpansOf(honestTurn);
    expect((await exportWith(new ProtoExporter({ url }), spans)).code).toBe(ExportResultCode.FAILED);
    expect((await exportWith(new ProtoExporter({ url, headers: bearer(STREAM_TOKEN) }), spans)).code).toBe(ExportResultCode.SUCCESS);
    await client.waitFor(sessionDone());
  });
});

describe("the receiver's endpoints and other sites' pages", () => {
  it('refuses a form post or a cross-site request to /v1/traces and to the AAEP endpoints, even with no token, and translates nothing', async () => {
    const { receiver, client } = await receiverWithListener({});
    const body = JSON.stringify({ resourceSpans: [] });
    const formPost = await fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body });
    expect(formPost.status).toBe(415);
    expect(await formPost.json()).toMatchObject({ code: 3 });
    const crossSite: Array<Record<string, string>> = [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }];
    for (const headers of crossSite) {
      const traces = await fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf', ...headers }, body: new Uint8Array() });
      expect(traces.status).toBe(403);
      expect(decodeStatus(new Uint8Array(await traces.arrayBuffer())).code).toBe(7);
      const messages = await fetch(`${receiver.url}/aaep/v1/messages`, { method: 'POST', headers: { 'Content-Type': 'text/plain', ...headers }, body: '{"kind":"user_input","text":"hi"}' });
      expect(messages.status).toBe(403);
    }
    // A page under its own name pointed at 127.0.0.1 (DNS rebinding) looks same-origin; with no ingest token it is refused too.
    const rebound = await new Promise<number>((resolve, reject) => {
      const host = `attacker.example:${receiver.port}`;
      const req = request(`${receiver.url}/v1/traces`, { method: 'POST', headers: { Host: host, Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.once('error', reject);
      req.end(body);
    });
    expect(rebound).toBe(403);
    // Allowed with the receiver's own CORS origins.
    const trusted = await startTestReceiver({ corsOrigins: ['https://dashboard.example'] });
    cleanups.push(() => trusted.close());
    const allowed = await fetch(`${trusted.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'https://dashboard.example', 'Sec-Fetch-Site': 'cross-site' }, body });
    expect(allowed.status).toBe(200);
    expect(client.events).toEqual([]);
  });
});

describe('the decision endpoint agents poll', () => {
  it('takes the ingest token (the agent\'s), not the listeners\' token', async () => {
    const { receiver } = await receiverWithListener({ token: STREAM_TOKEN, ingestToken: INGEST_TOKEN });
    const url = `${receiver.url}/aaep/v1/decisions/rpl_0123456789abcdef?wait=0`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: bearer(STREAM_TOKEN) })).status).toBe(401);
    expect((await fetch(url, { headers: bearer(INGEST_TOKEN) })).status).toBe(204);
  });
});

describe('the receiver listening beyond loopback', () => {
  async function startLogged(overrides: Partial<ReceiverConfig>, env: NodeJS.ProcessEnv = {}) {
    const lines: Array<{ level: string; message: string }> = [];
    const log: Log = (level, message) => lines.push({ level, message });
    const config = readReceiverConfig(['--port', '0'], env);
    if (config === 'help') throw new Error('unreachable');
    const receiver = await startReceiver({ ...config, ...overrides }, log);
    cleanups.push(() => receiver.close());
    return lines.filter((line) => line.level === 'warn').map((line) => line.message);
  }

  it('warns at start that anyone can send spans when it has no ingest token, as the container image does', async () => {
    // The Dockerfile's own setting: the image listens on every interface.
    const dockerfile = readFileSync(new URL('../../collector/Dockerfile', import.meta.url), 'utf8');
    const host = /AAEP_RECEIVER_HOST=(\S+)/.exec(dockerfile)?.[1];
    expect(host).toBe('0.0.0.0');
    const warnings = await startLogged({}, { AAEP_RECEIVER_HOST: host });
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/AAEP_INGEST_TOKEN.*anyone .* can send spans/), expect.stringMatching(/no AAEP_TOKEN/)]));
  });

  it('does not warn with both tokens, with users\' credentials instead of the operator\'s, nor on loopback', async () => {
    expect(await startLogged({ host: '0.0.0.0', token: STREAM_TOKEN, ingestToken: INGEST_TOKEN })).toEqual([]);
    expect(await startLogged({ host: '0.0.0.0', ingestToken: INGEST_TOKEN, listeners: { tokens: { 'ada-token': 'ada' } } })).toEqual([]);
    expect(await startLogged({})).toEqual([]);
  });
});
