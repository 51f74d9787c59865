/**
 * Soak (not part of CI): runs the receiver as its own process under sustained
 * OTLP load from the real protobuf exporter, with an SSE subscriber attached, and
 * reports every interval: exports and errors, events heard, receiver RSS, and
 * the export round-trip latency; at the end, the drift from first to last interval.
 * Run: npm run soak [-- --seconds 600 --rate 50 --interval 10]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createParser } from 'eventsource-parser';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, rate: { type: 'string', default: '50' }, interval: { type: 'string', default: '10' } } });
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const INTERVAL = Number(values.interval);
const root = fileURLToPath(new URL('../', import.meta.url));

const receiver = spawn(process.execPath, ['--import', 'tsx', 'collector/main.ts', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let output = '';
  receiver.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
    if (match) resolve(match[1]!);
  });
  receiver.once('exit', () => reject(new Error(`receiver exited:\n${output}`)));
});

/** One agent turn's finished spans, made once per turn with fresh ids. */
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
const tracer = provider.getTracer('soak');
function turn(n: number): ReadableSpan[] {
  memory.reset();
  const session = tracer.startSpan('invoke_agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': `request ${n}` } }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, session);
  const tool = tracer.startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.arguments': `{"n":${n}}` } }, ctx);
  tool.end();
  const llm = tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat' } }, ctx);
  llm.addEvent('aaep.output.chunk', { 'aaep.output.text': `Answer ${n}. All good.` });
  llm.end();
  session.end();
  return memory.getFinishedSpans().slice();
}

let heard = 0;
const parser = createParser({ onEvent: () => heard++ });
const controller = new AbortController();
const stream = await fetch(`${url}/aaep/v1/events`, { signal: controller.signal });
void (async () => {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of stream.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  } catch {
    // aborted at the end
  }
})();

const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

interface Interval { exports: number; errors: number; latencies: number[]; heard: number; rss: number }
const intervals: Interval[] = [];
let current: Interval = { exports: 0, errors: 0, latencies: [], heard: 0, rss: 0 };
let n = 0;
const started = Date.now();
let heardBefore = 0;
console.log(`soak: ${SECONDS} s at ${RATE} agent turns/s (4 spans each) against ${url}`);
console.log('  interval  exports  errors  events heard  p50 ms  p99 ms  receiver RSS');
while (Date.now() - started < SECONDS * 1000) {
  const tickStart = Date.now();
  for (let i = 0; i < RATE / 10; i++) {
    const spans = turn(n++);
    const sent = performance.now();
    exporter.export(spans, (result) => {
      current.exports++;
      if (result.code !== 0) current.errors++;
      current.latencies.push(performance.now() - sent);
    });
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (Date.now() - tickStart))));
  if (Date.now() - started >= (intervals.length + 1) * INTERVAL * 1000) {
    current.heard = heard - heardBefore;
    heardBefore = heard;
    current.rss = rssOf(receiver.pid!);
    intervals.push(current);
    console.log(`  ${String(intervals.length).padStart(8)}  ${String(current.exports).padStart(7)}  ${String(current.errors).padStart(6)}  ${String(current.heard).padStart(12)}  ${percentile(current.latencies, 50).toFixed(1).padStart(6)}  ${percentile(current.latencies, 99).toFixed(1).padStart(6)}  ${current.rss.toFixed(0).padStart(8)} MiB`);
    current = { exports: 0, errors: 0, latencies: [], heard: 0, rss: 0 };
  }
}
await new Promise((resolve) => setTimeout(resolve, 1000));
const first = intervals[0];
const last = intervals.at(-1);
if (first && last) {
  console.log(`  errors: ${intervals.reduce((sum, i) => sum + i.errors, 0)}; p99 drift ${(percentile(last.latencies, 99) / percentile(first.latencies, 99)).toFixed(2)}x; RSS ${first.rss.toFixed(0)} -> ${last.rss.toFixed(0)} MiB`);
}
controller.abort();
await exporter.shutdown();
receiver.kill('SIGTERM');
await provider.shutdown();
