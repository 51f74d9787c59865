/** The agent turn the processor benchmarks run: a session, two model calls (one streaming), two tools, progress. */
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The streamed answer: nine chunks, three sentences. */
export const TOKENS = ['The weather ', 'in Oslo ', 'is cold. ', 'Flights ', 'start at ', '1200 NOK. ', 'Want me ', 'to book ', 'one?'];

/** One agent turn as OpenTelemetry spans: 5 spans, 15 AAEP events. */
export function agentTurn(tracer: Tracer, n: number): void {
  const session = tracer.startSpan('invoke_agent travel', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Travel agent', 'aaep.session.request': `Plan trip ${n}` } }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, session);
  const plan = tracer.startSpan('chat plan', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-1' } }, ctx);
  plan.end();
  for (const tool of ['get_weather', 'search_flights']) {
    const span = tracer.startSpan(`execute_tool ${tool}`, { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.arguments': '{"city":"Oslo","date":"2026-12-01"}' } }, ctx);
    span.addEvent('aaep.progress', { 'aaep.progress.percent': 50 });
    span.setAttribute('gen_ai.tool.call.result', '{"temperature":-3,"flights":4}');
    span.end();
  }
  const answer = tracer.startSpan('chat answer', { attributes: { 'gen_ai.operation.name': 'chat' } }, ctx);
  for (const text of TOKENS) answer.addEvent('aaep.output.chunk', { 'aaep.output.text': text });
  answer.end();
  session.end();
}

/** The spans one agent turn ends, counted rather than assumed. */
export async function spansPerAgentTurn(): Promise<number> {
  let spans = 0;
  const counter: SpanProcessor = {
    onStart: () => {},
    onEnd: () => void spans++,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [counter] });
  agentTurn(provider.getTracer('count'), 0);
  await provider.shutdown();
  return spans;
}
