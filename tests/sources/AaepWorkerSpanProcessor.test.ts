import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { context, diag, DiagLogLevel, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { loggingErrorHandler, setGlobalErrorHandler } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor, AaepWorkerSpanProcessor, startAaepServer } from '../../src/index.js';
import { startOtlpSink } from '../helpers/otlpSink.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Warnings and errors told to `diag`, for as long as the test runs. */
function diagMessages(): string[] {
  const messages: string[] = [];
  const keep = (message: string) => void messages.push(message);
  diag.setLogger({ error: keep, warn: keep, info: () => {}, debug: () => {}, verbose: () => {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  cleanups.push(() => diag.disable());
  return messages;
}

/** One model call streaming two sentences, then a tool that waits for `toolRuns`, then a failing tool. */
async function runAgent(tracer: Tracer, toolRuns: () => Promise<void> = async () => {}): Promise<void> {
  await tracer.startActiveSpan('invoke_agent travel', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent', 'aaep.session.request': 'Weather in Oslo, then book a table' } }, async (session) => {
    await tracer.startActiveSpan('chat scripted', { attributes: { 'gen_ai.operation.name': 'chat' } }, async (llm) => {
      for (const token of ['Let me check ', 'the weather. ', 'Then I will ', 'book.']) {
        llm.addEvent('aaep.output.chunk', { 'aaep.output.text': token });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      llm.end();
    });
    await tracer.startActiveSpan('execute_tool get_weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}' } }, async (tool) => {
      await toolRuns();
      tool.setAttribute('gen_ai.tool.call.result', '{"temperature":3,"sky":"snow"}');
      tool.end();
    });
    tracer.startActiveSpan('execute_tool book_table', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'book_table' } }, (tool) => {
      tool.setStatus({ code: SpanStatusCode.ERROR, message: 'restaurant is fully booked' });
      tool.end();
    });
    session.end();
  });
}

async function workerProcessor(options: ConstructorParameters<typeof AaepWorkerSpanProcessor>[0] = {}) {
  const aaep = new AaepWorkerSpanProcessor({ agentId: 'travel-agent', agentName: 'Travel agent', ...options, server: { port: 0, ...options.server } });
  cleanups.push(() => aaep.shutdown());
  const server = await aaep.server;
  return { aaep, server };
}

/** A worker processor with a tracer on it and a listener on its stream. */
async function listenedProcessor(options: ConstructorParameters<typeof AaepWorkerSpanProcessor>[0]) {
  const { aaep, server } = await workerProcessor(options);
  const client = await connectSse(`${server.url}/aaep/v1/events`);
  cleanups.push(() => client.close());
  return { aaep, client, tracer: new BasicTracerProvider({ spanProcessors: [aaep] }).getTracer('burst') };
}

describe('AaepWorkerSpanProcessor', () => {
  it('streams the session live from its worker while the spans still reach the OTLP backend', async () => {
    const backend = await startOtlpSink();
    cleanups.push(() => backend.close());
    const { aaep, server } = await workerProcessor();
    const batch = new BatchSpanProcessor(new OTLPTraceExporter({ url: backend.url }));
    const provider = new BasicTracerProvider({ spanProcessors: [batch, aaep] });
    cleanups.push(() => provider.shutdown());
    const client = await connectSse(`${server.url}/aaep/v1/events`);
    cleanups.push(() => client.close());

    let seenWhileToolRan: string[] = [];
    await runAgent(provider.getTracer('travel-agent'), async () => {
      // The tool waits until the subscriber has heard that it was invoked.
      await client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.tool.invoked'));
      seenWhileToolRan = client.events.map((e) => e.type);
    });
    await client.waitFor(sessionDone());
    await batch.forceFlush();

    expect(seenWhileToolRan).not.toContain('aaep:agent.tool.completed');
    expectLegalStream(client.events);
    // The same turn through the in-thread processor: both designs give the same stream.
    const inThread = new AaepSpanProcessor({ agentId: 'travel-agent', agentName: 'Travel agent' });
    const inThreadServer = await startAaepServer({ hub: inThread.hub, port: 0 });
    cleanups.push(() => inThreadServer.close());
    const inThreadClient = await connectSse(`${inThreadServer.url}/aaep/v1/events`);
    cleanups.push(() => inThreadClient.close());
    const inThreadProvider = new BasicTracerProvider({ spanProcessors: [inThread] });
    cleanups.push(() => inThreadProvider.shutdown());
    await runAgent(inThreadProvider.getTracer('travel-agent'));
    await inThreadClient.waitFor(sessionDone());
    const heard = (events: typeof client.events) => events.map((e) => [e.type, e.summary_terse, e.summary_normal, e.to_state, e.tool, e.status]);
    expect(heard(client.events)).toEqual(heard(inThreadClient.events));
    expect(client.events.map((e) => e.type)).toContain('aaep:agent.output.streaming');
    expect(client.events.find((e) => e.type === 'aaep:agent.session.started')).toMatchObject({ producer: { agent_id: 'travel-agent', agent_name: 'Travel agent' } });
    expect(backend.spanNames().sort()).toEqual(['chat scripted', 'execute_tool book_table', 'execute_tool get_weather', 'invoke_agent travel']);
  });

  it('loses nothing when the worker falls behind: the agent waits for room in a small ring, and says so once', async () => {
    const messages = diagMessages();
    const { aaep, client, tracer } = await listenedProcessor({ ringBytes: 4096 });
    const SESSIONS = 300;
    // No await between sessions: the agent's thread writes far faster than the worker translates.
    for (let n = 0; n < SESSIONS; n++) {
      const session = tracer.startSpan(`turn ${n}`, { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': `Request number ${n} with some words to make it longer` } });
      const child = tracer.startSpan('tool', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'lookup', 'aaep.tool.arguments': JSON.stringify({ n, text: 'x'.repeat(200) }) } }, trace.setSpan(context.active(), session));
      child.end();
      session.end();
    }
    await aaep.forceFlush();
    await client.waitFor((events) => events.filter((e) => e.type === 'aaep:agent.session.completed').length === SESSIONS, 10_000);
    expectLegalStream(client.events);
    expect(messages.filter((m) => m.includes('translator worker is behind'))).toHaveLength(1);
    expect(messages.some((m) => m.includes('dropped'))).toBe(false);
  });

  it('ends open sessions as cancelled by the system on shutdown, closes the streams, and shuts down once', async () => {
    const { aaep, server } = await workerProcessor();
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    const client = await connectSse(`${server.url}/aaep/v1/events`);
    const session = provider.getTracer('t').startSpan('agent', { attributes: { 'aaep.span.kind': 'session' } });
    await client.waitFor((events) => events.length === 1);
    const first = aaep.shutdown();
    expect(aaep.shutdown()).toBe(first);
    await first;
    await client.ended;
    expect(client.events.at(-1)).toMatchObject({ type: 'aaep:agent.session.cancelled', cancelled_by: 'system' });
    expectLegalStream(client.events);
    session.end();
    await expect(fetch(`${server.url}/aaep/v1/manifest`)).rejects.toThrow();
  });

  it('takes a ring size it cannot have as the default, says so, and still streams', async () => {
    const messages = diagMessages();
    const { aaep, server } = await workerProcessor({ ringBytes: 5000 });
    expect(messages.some((m) => m.includes('power of two') && m.includes('AAEP_WORKER_RING_BYTES'))).toBe(true);
    const client = await connectSse(`${server.url}/aaep/v1/events`);
    cleanups.push(() => client.close());
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    provider.getTracer('t').startSpan('agent', { attributes: { 'aaep.span.kind': 'session' } }).end();
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
  });

  it('never throws into the application, even when handed a span it cannot read', async () => {
    const { aaep } = await workerProcessor();
    const errors: unknown[] = [];
    setGlobalErrorHandler((error) => errors.push(error));
    cleanups.push(() => setGlobalErrorHandler(loggingErrorHandler()));
    const broken = { spanContext: () => { throw new Error('boom'); } } as never;
    expect(() => aaep.onStart(broken, {} as never)).not.toThrow();
    expect(() => aaep.onEnd(broken)).not.toThrow();
    expect(errors).toHaveLength(2);
  });

  it('says why when its worker cannot listen, without throwing into the application', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    cleanups.push(() => taken.close());
    const port = (taken.address() as { port: number }).port;
    const messages = diagMessages();
    const aaep = new AaepWorkerSpanProcessor({ server: { port } });
    cleanups.push(() => aaep.shutdown());
    await expect(aaep.server).rejects.toThrow(/could not serve: .*EADDRINUSE/);
    expect(messages.some((m) => m.includes('EADDRINUSE'))).toBe(true);
  });

  it('does not keep the process alive once the application is done', () => {
    const script = [
      "import { AaepWorkerSpanProcessor } from './src/index.ts';",
      'const aaep = new AaepWorkerSpanProcessor({ server: { port: 0 } });',
      'await aaep.server;',
      "console.log('served');",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 15_000, encoding: 'utf8' });
    expect(run.stdout).toContain('served');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
  });
});
