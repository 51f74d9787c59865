/**
 * Time to the ear: from the span event an agent records to the AAEP event reaching a
 * subscriber in another process, with 200, 1,000 and 3,000 concurrent sessions each
 * streaming 20 output chunks a second (issue 13's workload). The agent side is the
 * in-process AaepSpanProcessor and its SSE server, then AaepWorkerSpanProcessor (translation and
 * server in a worker thread) in the same run; the subscriber (bench/timeToEarClient.ts)
 * reads the stream and compares the send time written into each chunk with its own clock
 * (both processes read the same system clock, to the microsecond).
 * Target: p99 ≤ 10 ms at 3,000 sessions.
 * Run: npm run bench:ear [-- --sessions 200,1000,3000 --seconds 5]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { context, trace, type Span } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Tracer } from '@opentelemetry/api';
import { AaepSpanProcessor, AaepWorkerSpanProcessor, startAaepServer } from '../src/index.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '200,1000,3000' }, seconds: { type: 'string', default: '5' }, designs: { type: 'string', default: 'in-thread,worker' } } });
const LOADS = values.sessions.split(',').map(Number);
const SECONDS = Number(values.seconds);
const CHUNKS_PER_SECOND = 20;
const WARM_UP_MS = 1_000;

/** Microseconds since the epoch, comparable across processes on one machine. */
const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

const HUB = { subscriberQueueEvents: 1_000_000, subscriberQueueBytes: 512 * 1024 * 1024 };

/** One design's agent side: a tracer whose spans it translates, and where its stream is served. */
async function agentSide(design: string): Promise<{ tracer: Tracer; url: string; flush(): Promise<void>; close(): Promise<void> }> {
  if (design === 'worker') {
    const aaep = new AaepWorkerSpanProcessor({ agentId: 'bench-ear', hub: HUB, server: { port: 0 } });
    const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
    const { url } = await aaep.server;
    return { tracer: provider.getTracer('bench-ear'), url, flush: () => aaep.forceFlush(), close: () => provider.shutdown() };
  }
  const aaep = new AaepSpanProcessor({ agentId: 'bench-ear', hub: HUB });
  const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
  const server = await startAaepServer({ hub: aaep.hub, port: 0 });
  return {
    tracer: provider.getTracer('bench-ear'),
    url: server.url,
    flush: () => aaep.forceFlush(),
    close: async () => {
      await server.close();
      await provider.shutdown();
    },
  };
}

let side: Awaited<ReturnType<typeof agentSide>>;
let client: ReturnType<typeof fork>;

/** One load: `sessions` open sessions, each a model call streaming a sentence every 50 ms. */
async function measure(sessions: number): Promise<{ p50: number; p99: number; heard: number; sent: number }> {
  const open: Array<{ session: Span; llm: Span }> = [];
  for (let i = 0; i < sessions; i++) {
    const { tracer } = side;
    const session = tracer.startSpan(`session ${i}`, { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': `Stream ${i}` } });
    const llm = tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat' } }, trace.setSpan(context.active(), session));
    open.push({ session, llm });
  }
  let sent = 0;
  let measuring = false;
  const interval = 1000 / CHUNKS_PER_SECOND;
  // Each session on its own timer, spread over the interval, as independent users are.
  const timers = open.map(({ llm }, i) =>
    setTimeout(() => {
      const tick = () => {
        llm.addEvent('aaep.output.chunk', { 'aaep.output.text': `Chunk ${measuring ? 'm' : 'w'}${nowMicros()} done. ` });
        if (measuring) sent++;
      };
      tick();
      timers[i] = setInterval(tick, interval);
    }, (interval * i) / sessions),
  );
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  client.send({ reset: true });
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  measuring = false;
  for (const timer of timers) clearInterval(timer);
  // What was sent reaches the subscriber or the figure says it did not.
  await new Promise((resolve) => setTimeout(resolve, 500));
  client.send({ collect: true });
  const [result] = (await once(client, 'message')) as [{ p50: number; p99: number; heard: number }];
  for (const { session, llm } of open) {
    llm.end();
    session.end();
  }
  await side.flush();
  return { ...result, sent };
}

const results = [];
for (const design of values.designs.split(',')) {
  side = await agentSide(design);
  client = fork(new URL('./timeToEarClient.ts', import.meta.url), { execArgv: ['--import', 'tsx'] });
  client.send({ url: `${side.url}/aaep/v1/events` });
  await once(client, 'message');
  for (const sessions of LOADS) {
    const { p50, p99, heard, sent } = await measure(sessions);
    console.log(`${design.padEnd(9)} ${String(sessions).padStart(5)} sessions x ${CHUNKS_PER_SECOND}/s: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${heard} of ${sent} chunks heard)`);
    const target = sessions >= 3000 && design === 'worker';
    results.push(
      { metric: `time to the ear p50, ${sessions} sessions, ${design}`, value: Number(p50.toFixed(2)), unit: 'ms', target: '(reported)', met: undefined },
      { metric: `time to the ear p99, ${sessions} sessions, ${design}`, value: Number(p99.toFixed(2)), unit: 'ms', target: target ? '<= 10' : '(reported)', met: target ? p99 <= 10 : undefined },
    );
  }
  client.kill();
  await side.close();
}
report(results);
