import { DiagLogLevel, context, diag, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { collectEvents } from '../helpers/hubEvents.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

let warnings: string[] = [];
const logger: DiagLogger = {
  error: () => {},
  warn: (message) => warnings.push(message),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};
const cleanups: Array<() => unknown> = [];
beforeEach(() => {
  warnings = [];
  diag.setLogger(logger, DiagLogLevel.WARN);
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  diag.disable();
});

function setUp(options: ConstructorParameters<typeof AaepSpanProcessor>[0]) {
  const processor = new AaepSpanProcessor(options);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  cleanups.push(() => provider.shutdown());
  return { processor, tracer: provider.getTracer('agent'), events: collectEvents(processor.hub) };
}

const SESSION = { attributes: { 'gen_ai.operation.name': 'invoke_agent' } };

describe('the in-process processor at its bounds', () => {
  it('does not translate a session beyond the bound, says so once through diag, and never throws at the agent', async () => {
    const { processor, tracer, events } = setUp({ maxSessions: 2 });
    const open = [tracer.startSpan('invoke_agent a', SESSION), tracer.startSpan('invoke_agent b', SESSION)];
    const refused = Array.from({ length: 5 }, (_, i) => tracer.startSpan(`invoke_agent extra ${i}`, SESSION));
    for (const span of refused) {
      const child = tracer.startSpan('execute_tool x', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'x' } }, trace.setSpan(context.active(), span));
      child.addEvent('aaep.progress', { 'aaep.progress.percent': 50 });
      child.end();
      span.end();
    }
    await processor.forceFlush();
    expect(events.filter((event) => event.type === 'aaep:agent.session.started')).toHaveLength(2);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(2);
    expect(warnings.filter((message) => message.includes('AAEP_MAX_SESSIONS'))).toHaveLength(1);
    expect(processor.stats.sessions).toEqual({ size: 2, limit: 2 });

    // Once one ends, a new session is translated again.
    open[0]!.end();
    const later = tracer.startSpan('invoke_agent later', SESSION);
    later.end();
    open[1]!.end();
    await processor.forceFlush();
    expect(events.filter((event) => event.type === 'aaep:agent.session.started')).toHaveLength(3);
    expectLegalStream(events);
    expect(processor.stats.sessions.size).toBe(0);
  });

  it('does not follow spans of a session beyond its per-session bound, nor their children', async () => {
    const { processor, tracer, events } = setUp({ maxSpansPerSession: 2 });
    const session = tracer.startSpan('invoke_agent a', SESSION);
    const inSession = trace.setSpan(context.active(), session);
    const tool = (name: string, parent = inSession) =>
      tracer.startSpan(`execute_tool ${name}`, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name } }, parent);
    const first = tool('first');
    const second = tool('second');
    const third = tool('third');
    const grandchild = tool('grandchild', trace.setSpan(context.active(), second));
    expect(processor.stats.spans).toMatchObject({ size: 2, perSession: 2 });
    for (const span of [grandchild, third, second, first, session]) span.end();
    await processor.forceFlush();
    const invoked = events.filter((event) => event.type === 'aaep:agent.tool.invoked').map((event) => event.tool);
    expect(invoked).toEqual(['first']);
    expect(warnings.filter((message) => message.includes('AAEP_MAX_SPANS_PER_SESSION'))).toHaveLength(1);
    expectLegalStream(events);
    expect(processor.stats.spans.size).toBe(0);
  });

  it('takes its bounds from AAEP_* variables when no option is given', () => {
    process.env.AAEP_MAX_SESSIONS = '7';
    process.env.AAEP_MAX_SUBSCRIBERS = '9';
    try {
      const { processor } = setUp({});
      expect(processor.stats.sessions.limit).toBe(7);
      expect(processor.stats.subscribers.limit).toBe(9);
      expect(setUp({ maxSessions: 3 }).processor.stats.sessions.limit).toBe(3);
    } finally {
      delete process.env.AAEP_MAX_SESSIONS;
      delete process.env.AAEP_MAX_SUBSCRIBERS;
    }
    expect(setUp({}).processor.stats).toMatchObject({ sessions: { limit: 10_000 }, subscribers: { limit: 1_000 }, replies: { limit: 10_000 } });
  });
});
