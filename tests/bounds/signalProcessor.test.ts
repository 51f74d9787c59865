import { DiagLogLevel, context, diag, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, type Span } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSignalProcessor } from '../../src/sources/AaepSignalProcessor.js';
import { LateClassification } from '../../src/sources/LateClassification.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  diag.disable();
});

const SESSION = { attributes: { 'gen_ai.operation.name': 'invoke_agent' } };
const TOOL = { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' } };

describe('the signal processor at its bounds', () => {
  it('signals no session beyond the session bound and no span beyond a session’s bound, each said once through diag', async () => {
    const warnings: string[] = [];
    diag.setLogger({ error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
    const exporter = new InMemorySpanExporter();
    const processor = new AaepSignalProcessor({ exporter, maxSessions: 1, maxSpansPerSession: 2, delayMs: 1 });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('agent');
    const session = tracer.startSpan('invoke_agent a', SESSION);
    const inSession = trace.setSpan(context.active(), session);
    const tools = [1, 2, 3].map((n) => tracer.startSpan(`execute_tool ${n}`, TOOL, inSession));
    const others = [1, 2].map((n) => tracer.startSpan(`invoke_agent other ${n}`, SESSION));
    for (const span of [...tools, session, ...others]) span.end();
    await processor.forceFlush();
    const announced = exporter.getFinishedSpans().map((span) => span.attributes['aaep.signal.name']);
    expect(announced).toEqual(['invoke_agent a', 'execute_tool 1']);
    expect(warnings.filter((m) => m.includes('AAEP_MAX_SESSIONS'))).toHaveLength(1);
    expect(warnings.filter((m) => m.includes('AAEP_MAX_SPANS_PER_SESSION'))).toHaveLength(1);
  });
});

describe('held-back unclassified spans', () => {
  it('start the one held longest, as it stands, once the bound is reached', () => {
    const provider = new BasicTracerProvider();
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('@traceloop/instrumentation-test');
    const started: string[] = [];
    const late = new LateClassification((span) => started.push(span.name), 2);
    const spans = ['first', 'second', 'third'].map((name) => tracer.startSpan(name) as Span);
    for (const span of spans) late.onStart(span);
    expect(started).toEqual(['first']);
    expect(late.size).toBe(2);
    for (const span of spans) {
      late.release(span.spanContext().spanId);
      span.end();
    }
    expect(started).toEqual(['first', 'second', 'third']);
  });
});
