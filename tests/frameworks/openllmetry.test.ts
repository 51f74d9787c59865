/**
 * OpenLLMetry (Traceloop) spans, from recorded attribute sets, fed through real
 * SDK spans into AaepSpanProcessor and through the receiver.
 *
 * The attribute sets follow what traceloop-sdk (JS) records: `withWorkflow` /
 * `withAgent` / `withTask` / `withTool` start a span named `<name>.<kind>` and
 * then set `traceloop.span.kind`, `traceloop.entity.name`, `traceloop.entity.path`,
 * `traceloop.entity.input` (`{"args": [...], "kwargs": {...}}`) and, at the end,
 * `traceloop.entity.output`; its OpenAI instrumentation records model calls with
 * `llm.request.type`, `gen_ai.system`, `gen_ai.request.model`,
 * `gen_ai.prompt.<i>.role/content`, `llm.request.functions.<i>.*` at start and
 * `gen_ai.completion.<i>.*` at the end.
 */
import { SpanStatusCode, context, type Attributes, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { startTestReceiver } from '../helpers/receiver.js';
import { connectSse, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { collectEvents } from '../helpers/hubEvents.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function traceInto(extra: SpanProcessor[] = []) {
  const aaep = new AaepSpanProcessor({ agentId: 'openllmetry-agent', agentName: 'Trip planner' });
  const events = collectEvents(aaep.hub);
  const provider = new BasicTracerProvider({ spanProcessors: [...extra, aaep] });
  cleanups.push(() => provider.shutdown());
  return { aaep, events, provider, tracer: provider.getTracer('@traceloop/node-server-sdk') };
}

const ofType = (events: WireEvent[], type: string) => events.filter((event) => event.type === `aaep:agent.${type}`);
const types = (events: WireEvent[]) => events.map((event) => event.type.replace('aaep:agent.', ''));
const outputText = (events: WireEvent[]) => ofType(events, 'output.streaming').map((event) => String(event.chunk)).join('');
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 2));

/** The recorded spans of one planned trip, start and end attributes apart. */
const RECORDED = {
  workflow: {
    name: 'plan_trip.workflow',
    start: {
      'traceloop.span.kind': 'workflow',
      'traceloop.workflow.name': 'plan_trip',
      'traceloop.entity.name': 'plan_trip',
      'traceloop.entity.path': '',
      'traceloop.entity.input': JSON.stringify({ args: [], kwargs: { question: 'Find flights from Bergen to Oslo' } }),
    },
    end: { 'traceloop.entity.output': JSON.stringify('I found three flights. The first leaves at 07:10.') },
  },
  plannerCall: {
    name: 'openai.chat',
    start: {
      'llm.request.type': 'chat',
      'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-4o-mini',
      'traceloop.workflow.name': 'plan_trip',
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'You plan trips.',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'Find flights from Bergen to Oslo',
      'llm.request.functions.0.name': 'search_flights',
      'llm.request.functions.0.description': 'Search for flights between two cities.',
    },
    end: {
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'Let me look that up.',
      'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.0.name': 'search_flights',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"from":"Bergen","to":"Oslo"}',
      'llm.usage.total_tokens': 96,
    },
  },
  tool: {
    name: 'search_flights.tool',
    start: {
      'traceloop.span.kind': 'tool',
      'traceloop.workflow.name': 'plan_trip',
      'traceloop.entity.name': 'search_flights',
      'traceloop.entity.path': 'plan_trip',
      'traceloop.entity.input': JSON.stringify({ args: [], kwargs: { from: 'Bergen', to: 'Oslo' } }),
    },
    end: { 'traceloop.entity.output': JSON.stringify({ flights: 3, first: '07:10' }) },
  },
  task: {
    name: 'format_answer.task',
    start: {
      'traceloop.span.kind': 'task',
      'traceloop.workflow.name': 'plan_trip',
      'traceloop.entity.name': 'format_answer',
      'traceloop.entity.path': 'plan_trip',
      'traceloop.entity.input': JSON.stringify({ args: [{ flights: 3 }], kwargs: {} }),
    },
    end: { 'traceloop.entity.output': JSON.stringify('three flights') },
  },
  writerCall: {
    name: 'openai.chat',
    start: {
      'llm.request.type': 'chat',
      'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-4o-mini',
      'traceloop.workflow.name': 'plan_trip',
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': 'Find flights from Bergen to Oslo',
      'gen_ai.prompt.1.role': 'tool',
      'gen_ai.prompt.1.content': '{"flights":3,"first":"07:10"}',
    },
    end: {
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'I found three flights. The first leaves at 07:10.',
      'gen_ai.completion.0.finish_reason': 'stop',
    },
  },
} satisfies Record<string, { name: string; start: Attributes; end: Attributes }>;

type Recorded = (typeof RECORDED)[keyof typeof RECORDED];

/**
 * Replays a recorded span. `lateAttributes` does what traceloop-sdk's decorators
 * do: start the span bare and set the attributes first thing in the callback.
 */
async function replay(tracer: Tracer, recorded: Recorded, body: () => Promise<void>, options: { lateAttributes?: boolean; error?: string } = {}) {
  const start = recorded.start as Attributes;
  await tracer.startActiveSpan(recorded.name, { attributes: options.lateAttributes === true ? {} : start }, async (span) => {
    if (options.lateAttributes === true) span.setAttributes(start);
    await body();
    if (options.error !== undefined) {
      span.recordException(new Error(options.error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: options.error });
    } else {
      span.setAttributes(recorded.end as Attributes);
    }
    span.end();
  });
}

async function plannedTrip(tracer: Tracer, options: { lateAttributes?: boolean; toolError?: string } = {}) {
  const late = { lateAttributes: options.lateAttributes ?? false };
  await replay(
    tracer,
    RECORDED.workflow,
    async () => {
      await replay(tracer, RECORDED.plannerCall, tick);
      await replay(tracer, RECORDED.tool, tick, { ...late, ...(options.toolError !== undefined && { error: options.toolError }) });
      await replay(tracer, RECORDED.task, () => replay(tracer, RECORDED.writerCall, tick), late);
    },
    late,
  );
}

describe('OpenLLMetry, attributes known at span start', () => {
  it('workflow → one session; tool → invoked/completed with its name and a summary from the function description; tasks are structure', async () => {
    const { aaep, events, tracer } = traceInto();
    await plannedTrip(tracer);
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(1);
    expect(types(events)).toEqual([
      'session.started',
      'state.changed',
      'state.changed',
      'output.streaming',
      'state.changed',
      'tool.invoked',
      'tool.completed',
      'state.changed',
      'state.changed',
      'output.streaming',
      'output.streaming',
      'session.completed',
    ]);
    expect(ofType(events, 'session.started')[0]).toMatchObject({
      request_text: 'Find flights from Bergen to Oslo',
      summary_normal: 'Trip planner is working on your request: Find flights from Bergen to Oslo',
    });
    expect(ofType(events, 'tool.invoked')[0]).toMatchObject({
      tool: 'search_flights',
      args_summary: 'from: Bergen, to: Oslo',
      summary_normal: 'Searching for flights between two cities, from: Bergen, to: Oslo.',
    });
    expect(ofType(events, 'tool.completed')[0]).toMatchObject({
      tool: 'search_flights',
      status: 'success',
      summary_normal: 'Search flights finished: flights: 3, first: 07:10.',
    });
    expect(outputText(events)).toBe('Let me look that up.I found three flights. The first leaves at 07:10.');
    expect(ofType(events, 'session.completed')[0]).toMatchObject({ tool_invocations_count: 1 });
    expect(JSON.stringify(events)).not.toContain('format_answer');
  });

  it('a tool span with an error status completes with status error (timeout when it timed out)', async () => {
    for (const [error, status] of [
      ['The flight API answered 500', 'error'],
      ['Flight search timed out', 'timeout'],
    ] as const) {
      const { aaep, events, tracer } = traceInto();
      await plannedTrip(tracer, { toolError: error });
      await aaep.forceFlush();
      expectLegalStream(events);
      expect(ofType(events, 'tool.completed')[0]).toMatchObject({ tool: 'search_flights', status, error_message: error });
      expect(ofType(events, 'session.completed')).toHaveLength(1);
    }
  });

  it('an agent span names the agent', async () => {
    const { aaep, events, tracer } = traceInto();
    await replay(
      tracer,
      {
        name: 'concierge.agent',
        start: {
          'traceloop.span.kind': 'agent',
          'traceloop.entity.name': 'Concierge',
          'gen_ai.agent.name': 'Concierge',
          'traceloop.entity.input': JSON.stringify({ args: ['Is the museum open today?'], kwargs: {} }),
        },
        end: {},
      } as unknown as Recorded,
      () => replay(tracer, RECORDED.writerCall, tick),
    );
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(ofType(events, 'session.started')[0]?.summary_normal).toBe('Concierge is working on your request: Is the museum open today?');
  });
});

describe('OpenLLMetry as traceloop-sdk records it (attributes set just after start)', () => {
  it('through the receiver: the same session, tool and outputs, at span end', async () => {
    const receiver = await startTestReceiver();
    cleanups.push(() => receiver.close());
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());
    const { tracer, provider } = traceInto([
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }), { scheduledDelayMillis: 20 }),
    ]);
    await plannedTrip(tracer, { lateAttributes: true });
    await provider.forceFlush();
    await client.waitFor((events) => ofType(events, 'session.completed').length === 1);
    const events = client.events;
    expectLegalStream(events);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(1);
    expect(ofType(events, 'session.started')[0]).toMatchObject({ request_text: 'Find flights from Bergen to Oslo' });
    expect(ofType(events, 'tool.invoked')[0]).toMatchObject({ tool: 'search_flights', args_summary: 'from: Bergen, to: Oslo' });
    expect(outputText(events)).toBe('Let me look that up.I found three flights. The first leaves at 07:10.');
  });

  it('in process, spans whose attributes traceloop sets just after start are still one session with its tool', async () => {
    const { aaep, events, tracer } = traceInto();
    await plannedTrip(tracer, { lateAttributes: true });
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(ofType(events, 'session.started')).toHaveLength(1);
    expect(ofType(events, 'tool.invoked')).toHaveLength(1);
  });
});
