import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AaepEventSchema, type AaepEvent } from '../../src/protocol/index.js';
import type { Attributes, SpanEventRecord, SpanRecord } from '../../src/records.js';
import { Translator } from '../../src/translate/index.js';
import { TRACE, spanId } from '../helpers/records.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwx0123';

type Role = 'llm' | 'tool' | 'irreversible' | 'other' | 'session';

interface NodeSpec {
  role: Role;
  error: boolean;
  chunks: string[];
  progress: number;
  decision: 'accept' | 'reject' | 'none';
  finalOutput: string | null;
  startSeen: boolean;
  children: NodeSpec[];
}

const chunkArb = fc.constantFrom('Hello ', 'world. ', 'How ', 'are you? ', 'Fine', '!\n', '…', `key ${SECRET} `, 'Ünïcødé 😀. ', '');

/** Span trees up to `depth` levels below the session. */
function nodeArb(depth: number): fc.Arbitrary<NodeSpec> {
  return fc.record({
    role: fc.constantFrom<Role>('llm', 'tool', 'irreversible', 'other', 'session'),
    error: fc.boolean(),
    chunks: fc.array(chunkArb, { maxLength: 6 }),
    progress: fc.nat(2),
    decision: fc.constantFrom<'accept' | 'reject' | 'none'>('accept', 'reject', 'none'),
    finalOutput: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
    startSeen: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
    children: depth <= 1 ? fc.constant([]) : fc.array(nodeArb(depth - 1), { maxLength: 3 }),
  });
}

const sessionArb = fc.record({
  outcome: fc.constantFrom('ok', 'error', 'cancelled'),
  children: fc.array(nodeArb(3), { minLength: 1, maxLength: 4 }),
});

interface FlatSpan {
  id: number;
  parent: number | undefined;
  attributes: Attributes;
  events: Array<{ name: string; attributes: Attributes }>;
  endAttributes: Attributes;
  error?: string;
  startSeen: boolean;
}

function roleAttributes(role: Role, n: number): Attributes {
  switch (role) {
    case 'llm':
      return { 'gen_ai.operation.name': 'chat' };
    case 'tool':
      return { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `tool_${n}`, 'gen_ai.tool.call.arguments': `{"q":"x","password":"${SECRET}"}` };
    case 'irreversible':
      return { 'aaep.span.kind': 'tool', 'aaep.tool.name': `danger_${n}`, 'aaep.tool.irreversible': true, 'aaep.tool.risk_level': 'high' };
    case 'session':
      return { 'gen_ai.operation.name': 'invoke_agent' };
    case 'other':
      return { 'http.method': 'GET' };
  }
}

function flatten(sessions: Array<{ outcome: string; children: NodeSpec[] }>): FlatSpan[] {
  const spans: FlatSpan[] = [];
  let next = 1;
  const visit = (node: NodeSpec, parent: number) => {
    const id = next++;
    const events: FlatSpan['events'] = [];
    for (const text of node.chunks) events.push({ name: 'aaep.output.chunk', attributes: { 'aaep.output.text': text } });
    for (let p = 0; p < node.progress; p++) events.push({ name: 'aaep.progress', attributes: { 'aaep.progress.percent': 30 * (p + 1) } });
    if (node.role === 'irreversible' && node.decision !== 'none') {
      events.unshift(
        { name: 'aaep.confirmation.requested', attributes: { 'aaep.confirmation.reply_token': `rpl_${next}x`, 'aaep.confirmation.action': `Delete record ${next}`, 'aaep.confirmation.default_decision': 'accept' } },
        { name: 'aaep.confirmation.resolved', attributes: { 'aaep.confirmation.decision': node.decision } },
      );
    }
    spans.push({
      id,
      parent,
      attributes: roleAttributes(node.role, id),
      events,
      endAttributes: node.finalOutput === null ? {} : { 'aaep.llm.output': node.finalOutput },
      ...(node.error && { error: `failure ${id} token=${SECRET}` }),
      startSeen: node.startSeen,
    });
    for (const child of node.children) visit(child, id);
  };
  for (const session of sessions) {
    const id = next++;
    spans.push({
      id,
      parent: undefined,
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': `please use ${SECRET}` },
      events: [],
      endAttributes: session.outcome === 'cancelled' ? { 'aaep.session.outcome': 'cancelled' } : {},
      ...(session.outcome === 'error' && { error: 'model timed out' }),
      startSeen: true,
    });
    for (const child of session.children) visit(child, id);
  }
  return spans;
}

type Action = { kind: 'start' | 'event' | 'end'; span: FlatSpan; index: number };

/** A random order of span starts, events and ends that respects only what real spans must: parents start first. */
function schedule(spans: FlatSpan[], priorities: number[]): Action[] {
  const actions: Action[] = [];
  for (const span of spans) {
    if (span.startSeen) {
      actions.push({ kind: 'start', span, index: 0 });
      span.events.forEach((_, index) => actions.push({ kind: 'event', span, index }));
    }
    actions.push({ kind: 'end', span, index: 0 });
  }
  const keyed = actions.map((action, i) => ({ action, priority: priorities[i % priorities.length]! + i / 1e6 }));
  keyed.sort((a, b) => a.priority - b.priority);
  const pending = keyed.map((k) => k.action);
  const started = new Set<number>();
  const eventsDone = new Map<number, number>();
  const ended = new Set<number>();
  const order: Action[] = [];
  const ready = (a: Action): boolean => {
    const parentStarted = a.span.parent === undefined || started.has(a.span.parent) || !spans.find((s) => s.id === a.span.parent)!.startSeen;
    if (a.kind === 'start') return parentStarted;
    if (a.kind === 'event') return started.has(a.span.id) && (eventsDone.get(a.span.id) ?? 0) === a.index;
    return parentStarted && (!a.span.startSeen || (started.has(a.span.id) && (eventsDone.get(a.span.id) ?? 0) === a.span.events.length));
  };
  while (pending.length > 0) {
    const i = pending.findIndex(ready);
    const [action] = pending.splice(i, 1);
    order.push(action!);
    if (action!.kind === 'start') started.add(action!.span.id);
    else if (action!.kind === 'event') eventsDone.set(action!.span.id, action!.index + 1);
    else ended.add(action!.span.id);
  }
  return order;
}

function toRecords(order: Action[], t0: number): SpanRecord[] {
  return order.map((action, i): SpanRecord => {
    const { span } = action;
    const base = { traceId: TRACE, spanId: spanId(span.id) };
    const time = t0 + i;
    if (action.kind === 'start') {
      return { ...base, kind: 'started', parentSpanId: span.parent === undefined ? undefined : spanId(span.parent), traceFlags: 1, name: `span ${span.id}`, startTime: time, attributes: span.attributes };
    }
    if (action.kind === 'event') {
      const e = span.events[action.index]!;
      return { ...base, kind: 'event', name: e.name, time, attributes: e.attributes };
    }
    const unseen: SpanEventRecord[] = span.startSeen ? [] : span.events.map((e) => ({ ...base, kind: 'event', name: e.name, time, attributes: e.attributes }));
    return {
      ...base,
      kind: 'ended',
      parentSpanId: span.parent === undefined ? undefined : spanId(span.parent),
      traceFlags: 1,
      name: `span ${span.id}`,
      startTime: t0,
      endTime: time,
      attributes: { ...span.attributes, ...span.endAttributes },
      status: span.error === undefined ? { code: 0 } : { code: 2, message: span.error },
      events: unseen,
    };
  });
}

describe('Translator over random span trees', () => {
  it('always produces legal, schema-valid streams without leaking secrets', () => {
    fc.assert(
      fc.property(fc.array(sessionArb, { minLength: 1, maxLength: 3 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 64 }), (sessions, priorities) => {
        const events: AaepEvent[] = [];
        const translator = new Translator({ producer: { agent_id: 'prop-agent' }, emit: (e) => events.push(e) });
        const spans = flatten(sessions);
        for (const record of toRecords(schedule(spans, priorities), Date.UTC(2026, 0, 1))) translator.handle(record);
        expectLegalStream(events);
        for (const event of events) AaepEventSchema.parse(event);
        expect(JSON.stringify(events)).not.toContain(SECRET);
        expect(translator.openSessionCount).toBe(0);
        expect(translator.trackedSpanCount).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
