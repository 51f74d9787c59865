import { SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor, startAaepServer } from '../../src/index.js';
import { startOtlpSink } from '../helpers/otlpSink.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A tiny agent: one model call, then two tools, the second of which fails. */
async function runAgent(tracer: Tracer, toolStarted?: () => Promise<void>): Promise<void> {
  await tracer.startActiveSpan('invoke_agent travel', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent', 'aaep.session.request': 'Weather in Oslo, then book a table' } }, async (session) => {
    await tracer.startActiveSpan('chat scripted', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-1' } }, async (llm) => {
      for (const token of ['Let me check ', 'the weather. ', 'Then I will ', 'book.']) {
        llm.addEvent('aaep.output.chunk', { 'aaep.output.text': token });
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      llm.end();
    });
    await tracer.startActiveSpan('execute_tool get_weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.arguments': '{"city":"Oslo"}' } }, async (tool) => {
      await toolStarted?.();
      tool.setAttribute('gen_ai.tool.call.result', '{"temperature":3,"sky":"snow"}');
      tool.end();
    });
    await tracer.startActiveSpan('execute_tool book_table', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'book_table' } }, async (tool) => {
      const error = new Error('restaurant is fully booked');
      tool.recordException(error);
      tool.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      tool.end();
    });
    session.end();
  });
}

describe('AaepSpanProcessor next to a BatchSpanProcessor exporting OTLP', () => {
  it('sends the spans to the OTLP backend and a live, schema-valid AAEP stream to an SSE client', async () => {
    const backend = await startOtlpSink();
    cleanups.push(() => backend.close());
    const aaep = new AaepSpanProcessor({ agentId: 'travel-agent', agentName: 'Travel agent' });
    const batch = new BatchSpanProcessor(new OTLPTraceExporter({ url: backend.url }));
    const sdk = new NodeSDK({ spanProcessors: [batch, aaep], instrumentations: [] });
    sdk.start();
    cleanups.push(() => sdk.shutdown());
    const server = await startAaepServer({ hub: aaep.hub, port: 0 });
    cleanups.push(() => server.close());
    const client = await connectSse(`${server.url}/aaep/v1/events`);
    cleanups.push(() => client.close());

    const tracer = trace.getTracer('travel-agent');
    let seenWhileToolRan: string[] = [];
    await runAgent(tracer, async () => {
      // The tool body waits until the subscriber has heard that the tool was invoked.
      await client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.tool.invoked'));
      seenWhileToolRan = client.events.map((e) => e.type);
    });
    await client.waitFor(sessionDone());
    await batch.forceFlush();

    expect(seenWhileToolRan).toContain('aaep:agent.tool.invoked');
    expect(seenWhileToolRan).toContain('aaep:agent.output.streaming');
    expect(seenWhileToolRan).not.toContain('aaep:agent.tool.completed');
    expectLegalStream(client.events);
    expect(client.events.map((e) => e.type.replace('aaep:agent.', ''))).toEqual([
      'session.started',
      'state.changed',
      'state.changed',
      'output.streaming',
      'output.streaming',
      'state.changed',
      'tool.invoked',
      'tool.completed',
      'tool.invoked',
      'tool.completed',
      'session.completed',
    ]);
    const completed = client.events.filter((e) => e.type === 'aaep:agent.tool.completed');
    expect(completed.map((e) => [e.tool, e.status])).toEqual([
      ['get_weather', 'success'],
      ['book_table', 'error'],
    ]);
    expect(completed[1]).toMatchObject({ error_message: 'restaurant is fully booked' });
    expect(backend.spanNames().sort()).toEqual(['chat scripted', 'execute_tool book_table', 'execute_tool get_weather', 'invoke_agent travel']);
  });

  it('never throws into the application, even when handed a span it cannot read', () => {
    const aaep = new AaepSpanProcessor();
    const errors: unknown[] = [];
    const broken = { spanContext: () => { throw new Error('boom'); } } as never;
    return import('@opentelemetry/core').then(({ setGlobalErrorHandler, loggingErrorHandler }) => {
      setGlobalErrorHandler((error) => errors.push(error));
      try {
        expect(() => aaep.onStart(broken, {} as never)).not.toThrow();
        expect(() => aaep.onEnd(broken)).not.toThrow();
        expect(errors).toHaveLength(2);
      } finally {
        setGlobalErrorHandler(loggingErrorHandler());
      }
    });
  });

  it('cancels open sessions and closes streams on shutdown, once', async () => {
    const aaep = new AaepSpanProcessor({ agentId: 'travel-agent' });
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    const server = await startAaepServer({ hub: aaep.hub, port: 0 });
    cleanups.push(() => server.close());
    const client = await connectSse(`${server.url}/aaep/v1/events`);
    const session = provider.getTracer('t').startSpan('agent', { attributes: { 'aaep.span.kind': 'session' } });
    await client.waitFor((events) => events.length === 1);
    await Promise.all([provider.shutdown(), aaep.shutdown()]);
    await client.ended;
    expect(client.events.at(-1)).toMatchObject({ type: 'aaep:agent.session.cancelled', cancelled_by: 'system' });
    expectLegalStream(client.events);
    session.end();
    expect(aaep.hub.closed).toBe(true);
  });
});
