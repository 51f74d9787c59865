import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AaepWorkerSpanProcessor } from './src/index.js';
const TOKENS = ['The weather ', 'in Oslo ', 'is cold. ', 'Flights ', 'start at ', '1200 NOK. ', 'Want me ', 'to book ', 'one?'];
function agentTurn(tracer: any, n: number) {
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
const none: any = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
for (const kind of (process.env.KINDS ?? 'none,worker,none,worker,none,worker').split(',')) {
  const p: any = kind === 'none' ? none : new AaepWorkerSpanProcessor({ server: { port: 0 }, ringBytes: 64 * 1024 * 1024 });
  if (p instanceof AaepWorkerSpanProcessor) await p.server;
  const provider = new BasicTracerProvider({ spanProcessors: [p] });
  const tracer = provider.getTracer('x');
  const t0 = performance.now();
  for (let n = 0; n < 2000; n++) { agentTurn(tracer, n); if (n % 100 === 99) await new Promise((r) => setImmediate(r)); }
  const t1 = performance.now();
  await p.forceFlush();
  console.log(kind, 'loop', (t1 - t0).toFixed(0), 'flush', (performance.now() - t1).toFixed(0));
  await provider.shutdown();
}
