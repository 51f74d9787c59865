/**
 * Memory: streams and finishes 10,000 sessions through the processor with a
 * subscriber attached, and reports heap and RSS before and after (after a full
 * GC, with --expose-gc) plus what the translator and hub still hold: no state
 * per finished session may remain, and the hub stays within its configured bytes.
 * Run: npm run bench:memory [-- --sessions 10000]
 */
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AaepSpanProcessor } from '../src/index.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '10000' } } });
const SESSIONS = Number(values.sessions);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench:memory does)');

const aaep = new AaepSpanProcessor({ agentId: 'memory-bench', hub: { retentionEvents: 10_000, retentionBytes: 8 * 1024 * 1024 } });
const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
const tracer = provider.getTracer('memory');
let delivered = 0;
aaep.hub.subscribe({ write: (frames) => ((delivered += frames.length), true), close: () => {} });

async function sessions(count: number, offset: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    const session = tracer.startSpan('invoke_agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': `request ${offset + n}` } }, ROOT_CONTEXT);
    const ctx = trace.setSpan(ROOT_CONTEXT, session);
    const tool = tracer.startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.arguments': `{"id":${n}}` } }, ctx);
    tool.end();
    const llm = tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat' } }, ctx);
    llm.addEvent('aaep.output.chunk', { 'aaep.output.text': `Answer number ${n}. It is ready.` });
    llm.end();
    session.end();
    if (n % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await aaep.forceFlush();
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
await sessions(1_000, 0); // warm up: JIT, ring buffer pages, caches
gc();
const before = process.memoryUsage();
await sessions(SESSIONS, 1_000);
gc();
const after = process.memoryUsage();
const retention = aaep.hub.retention;
console.log(`memory: ${SESSIONS} sessions streamed and finished (${mb(delivered)} delivered to one subscriber)`);
console.log(`  heap used   ${mb(before.heapUsed)} -> ${mb(after.heapUsed)}  (${((after.heapUsed - before.heapUsed) / SESSIONS).toFixed(0)} bytes per session)`);
console.log(`  rss         ${mb(before.rss)} -> ${mb(after.rss)}`);
console.log(`  hub ring    ${mb(retention.bytes)} used of ${mb(retention.capacityBytes)} configured, ${retention.events} events kept`);
const { openSessions, trackedSpans, pendingReplies } = aaep.stats;
console.log(`  left behind: ${openSessions} open sessions, ${trackedSpans} tracked spans, ${pendingReplies} pending replies`);
await provider.shutdown();
report([
  { metric: 'heap growth per finished session', value: Math.round((after.heapUsed - before.heapUsed) / SESSIONS), unit: 'bytes', target: '~0 (no leak)', met: (after.heapUsed - before.heapUsed) / SESSIONS < 200 && openSessions === 0 && trackedSpans === 0 },
  { metric: 'hub ring used of configured', value: Number((retention.bytes / retention.capacityBytes).toFixed(3)), unit: 'share', target: '<= 1', met: retention.bytes <= retention.capacityBytes },
]);
