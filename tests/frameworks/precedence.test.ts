/**
 * One classification per span, by the precedence DESIGN.md fixes: aaep.* first,
 * then OpenTelemetry GenAI, then framework conventions (in FRAMEWORK_CONVENTIONS
 * order). Derived attributes follow the winning role and never replace what the
 * span says itself.
 */
import { context, type Attributes as ApiAttributes, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import type { Attributes } from '../../src/records.js';
import { classifySpan } from '../../src/semconv/classifySpan.js';
import { FRAMEWORK_CONVENTIONS } from '../../src/semconv/frameworks.js';
import { normalizeAttributes } from '../../src/semconv/normalizeAttributes.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { collectEvents } from '../helpers/hubEvents.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Every framework's marker at once, each claiming a different role. */
const FRAMEWORK_MARKERS: Attributes = {
  'ai.operationId': 'ai.toolCall', // Vercel legacy: tool
  'ai.toolCall.name': 'vercel_tool',
  'openinference.span.kind': 'LLM', // OpenInference: llm
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.content': 'Text an LLM span would say.',
  'traceloop.span.kind': 'workflow', // OpenLLMetry: session
};

describe('classifySpan: exactly one role, by precedence', () => {
  const cases: Array<[string, Attributes, string | undefined]> = [
    ['aaep.span.kind beats GenAI and every framework', { 'aaep.span.kind': 'session', 'gen_ai.operation.name': 'execute_tool', ...FRAMEWORK_MARKERS }, 'session'],
    ['GenAI beats every framework', { 'gen_ai.operation.name': 'chat', ...FRAMEWORK_MARKERS }, 'llm'],
    ['a GenAI operation that is not announced stays silent whatever a framework says', { 'gen_ai.operation.name': 'agent_step', ...FRAMEWORK_MARKERS }, undefined],
    ['GenAI invoke_workflow is a session', { 'gen_ai.operation.name': 'invoke_workflow', ...FRAMEWORK_MARKERS }, 'session'],
    ['frameworks alone: the first in FRAMEWORK_CONVENTIONS order (Vercel AI SDK)', FRAMEWORK_MARKERS, 'tool'],
    ['then OpenInference', { 'openinference.span.kind': 'LLM', 'traceloop.span.kind': 'workflow' }, 'llm'],
    ['then OpenLLMetry', { 'traceloop.span.kind': 'workflow' }, 'session'],
    ['an unknown aaep.span.kind falls through to the next convention', { 'aaep.span.kind': 'plan', 'openinference.span.kind': 'TOOL' }, 'tool'],
    ['nothing recognisable', { 'http.request.method': 'GET' }, undefined],
  ];
  for (const [name, attributes, role] of cases) {
    it(name, () => {
      expect(classifySpan(attributes)).toBe(role);
      // The framework conventions agree with themselves: derivation is for that role only.
      const normalized = normalizeAttributes(attributes, 'span');
      expect(classifySpan(normalized)).toBe(role);
    });
  }

  it('the conventions are tried in a fixed order', () => {
    expect(FRAMEWORK_CONVENTIONS.map((convention) => convention.name)).toEqual([
      'opentelemetry-genai',
      'vercel-ai-sdk',
      'openinference',
      'openllmetry',
    ]);
  });
});

describe('normalizeAttributes: derived for the winning role, never over the span', () => {
  it('an aaep tool span carrying LLM framework attributes gets tool attributes, not LLM output', () => {
    const normalized = normalizeAttributes({ 'aaep.span.kind': 'tool', 'gen_ai.operation.name': 'chat', ...FRAMEWORK_MARKERS }, 'lookup');
    expect(normalized['aaep.llm.output']).toBeUndefined();
    expect(normalized['aaep.span.kind']).toBe('tool');
  });

  it('a GenAI chat span carrying a Vercel tool call is a model call: no tool name, no tool summary', () => {
    const normalized = normalizeAttributes(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Hello there.' }], finish_reason: 'stop' }]),
        ...FRAMEWORK_MARKERS,
      },
      'chat model',
    );
    expect(normalized['aaep.llm.output']).toBe('Hello there.');
    expect(normalized['aaep.tool.name']).toBeUndefined();
    expect(normalized['aaep.tool.summary']).toBeUndefined();
    // GenAI spans do not get aaep.span.kind written: gen_ai.operation.name already says it.
    expect(normalized['aaep.span.kind']).toBeUndefined();
  });

  it('what the span says wins over what a convention derives', () => {
    const normalized = normalizeAttributes(
      {
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'searchWeb',
        'ai.toolCall.args': '{"query":"framework"}',
        'aaep.tool.name': 'web_search',
        'aaep.tool.arguments': '{"query":"explicit"}',
        'aaep.tool.summary': 'Looking it up',
      },
      'ai.toolCall',
    );
    expect(normalized).toMatchObject({
      'aaep.span.kind': 'tool',
      'aaep.tool.name': 'web_search',
      'aaep.tool.arguments': '{"query":"explicit"}',
      'aaep.tool.summary': 'Looking it up',
    });
  });

  it('GenAI attributes the translator reads are not replaced by a framework’s', () => {
    const normalized = normalizeAttributes(
      { 'openinference.span.kind': 'CHAIN', 'session.id': 'from-openinference', 'gen_ai.conversation.id': 'from-genai' },
      'root',
    );
    expect(normalized['gen_ai.conversation.id']).toBe('from-genai');
  });
});

describe('the AAEP stream follows the one classification', () => {
  function traced() {
    const aaep = new AaepSpanProcessor({ agentId: 'precedence', agentName: 'Tester' });
    const events = collectEvents(aaep.hub);
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    cleanups.push(() => provider.shutdown());
    return { aaep, events, tracer: provider.getTracer('precedence') };
  }

  async function session(tracer: Tracer, child: ApiAttributes, name: string): Promise<void> {
    await tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Test precedence' } }, async (root) => {
      await tracer.startActiveSpan(name, { attributes: child }, async (span) => {
        span.end();
      });
      root.end();
    });
  }

  it('aaep tool + GenAI chat + framework markers: one tool call, no model output, one session', async () => {
    const { aaep, events, tracer } = traced();
    await session(tracer, { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'lookup', 'gen_ai.operation.name': 'chat', ...(FRAMEWORK_MARKERS as ApiAttributes) }, 'lookup');
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(events.map((event) => event.type.replace('aaep:agent.', ''))).toEqual([
      'session.started',
      'state.changed',
      'tool.invoked',
      'tool.completed',
      'session.completed',
    ]);
    expect(events.find((event) => event.type === 'aaep:agent.tool.invoked')?.tool).toBe('lookup');
  });

  it('GenAI chat + framework tool markers: a model call with its output, no tool', async () => {
    const { aaep, events, tracer } = traced();
    await session(
      tracer,
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Precedence holds.' }], finish_reason: 'stop' }]),
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'vercel_tool',
        'openinference.span.kind': 'TOOL',
        'traceloop.span.kind': 'tool',
      },
      'chat',
    );
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(events.map((event) => event.type.replace('aaep:agent.', ''))).toEqual([
      'session.started',
      'state.changed',
      'state.changed',
      'output.streaming',
      'session.completed',
    ]);
    expect(events.find((event) => event.type === 'aaep:agent.output.streaming')?.chunk).toBe('Precedence holds.');
  });

  it('a lone span with every framework marker opens exactly one session of the winning kind', async () => {
    const { aaep, events, tracer } = traced();
    tracer.startSpan('ai.toolCall', { attributes: FRAMEWORK_MARKERS as ApiAttributes }).end();
    await aaep.forceFlush();
    expectLegalStream(events);
    expect(events.filter((event) => event.type === 'aaep:agent.session.started')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'aaep:agent.tool.invoked').map((event) => event.tool)).toEqual(['vercel_tool']);
    expect(events.some((event) => event.type === 'aaep:agent.output.streaming')).toBe(false);
  });
});
