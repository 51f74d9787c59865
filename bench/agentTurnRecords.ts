/** The agent turn of bench/processor-overhead.ts as the span lifecycle records the processor hands the translator. */
import { TOKENS } from './agentTurn.js';
import type { Attributes, SpanEventRecord, SpanRecord, SpanStartedRecord } from '../src/records.js';

/** The records the processor hands the translator for one agent turn of the processor bench. */
export function agentTurnRecords(n: number): SpanRecord[] {
  const traceId = n.toString(16).padStart(32, '0');
  let clock = 1_780_000_000_000 + n * 50;
  let ids = 0;
  const records: SpanRecord[] = [];
  const start = (name: string, parent: SpanStartedRecord | undefined, attributes: Attributes): SpanStartedRecord => {
    const record: SpanStartedRecord = {
      kind: 'started', traceId, spanId: (++ids).toString(16).padStart(16, '0'), parentSpanId: parent?.spanId,
      traceFlags: 1, name, startTime: clock++, attributes,
    };
    records.push(record);
    return record;
  };
  const event = (span: SpanStartedRecord, name: string, attributes: Attributes): SpanEventRecord => {
    const record: SpanEventRecord = { kind: 'event', traceId, spanId: span.spanId, name, time: clock++, attributes };
    records.push(record);
    return record;
  };
  const end = (span: SpanStartedRecord, attributes: Attributes = {}): void => {
    records.push({
      kind: 'ended', traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, traceFlags: 1, name: span.name,
      startTime: span.startTime, endTime: clock++, attributes: { ...span.attributes, ...attributes }, status: { code: 0 }, events: [],
    });
  };
  const session = start('invoke_agent travel', undefined, { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent', 'aaep.session.request': `Plan trip ${n}` });
  end(start('chat plan', session, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-1' }));
  for (const tool of ['get_weather', 'search_flights']) {
    const span = start(`execute_tool ${tool}`, session, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.arguments': '{"city":"Oslo","date":"2026-12-01"}' });
    event(span, 'aaep.progress', { 'aaep.progress.percent': 50 });
    end(span, { 'gen_ai.tool.call.result': '{"temperature":-3,"flights":4}' });
  }
  const answer = start('chat answer', session, { 'gen_ai.operation.name': 'chat' });
  for (const text of TOKENS) event(answer, 'aaep.output.chunk', { 'aaep.output.text': text });
  end(answer);
  end(session);
  return records;
}

