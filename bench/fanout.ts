/**
 * Fan-out: 1,000 SSE subscribers on loopback (in a second process).
 *  1. latency: 1,000 events/s for a few seconds; p50/p99 of publish → delivery;
 *  2. throughput: a burst of events through the hub vs writing the same framed
 *     bytes to the same kind of sockets directly, in the same run.
 * Targets: p99 ≤ 50 ms, throughput ≥ 0.8× of direct writes.
 * Run: npm run bench:fanout [-- --subscribers 1000 --seconds 5 --burst 2000]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import express from 'express';
import { EventHub, createAaepRouter } from '../src/index.js';
import type { AaepEvent } from '../src/protocol/index.js';
import { sseFrame } from '../src/http/sseFrame.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { subscribers: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '5' }, burst: { type: 'string', default: '2000' } } });
const SUBSCRIBERS = Number(values.subscribers);
const SECONDS = Number(values.seconds);
const BURST = Number(values.burst);

let serial = 0;
function event(): AaepEvent {
  serial++;
  return {
    '@context': 'https://aaep-protocol.org/context/v1',
    aaep_version: '0.1.0-draft',
    type: 'aaep:agent.progress.updated',
    event_id: `evt_bench${serial.toString(36)}`,
    session_id: 'sess_bench',
    sequence_number: serial,
    timestamp: new Date().toISOString(),
    producer: { agent_id: 'fanout-bench' },
    urgency: 'background',
    progress: { percent: serial % 100 },
    summary_normal: 'Comparing prices from three airlines, step by step, to find the cheapest flight.',
  };
}

const hub = new EventHub({ subscriberQueueEvents: 1_000_000, subscriberQueueBytes: 1024 * 1024 * 1024 });
const raw = new Set<ServerResponse>();
const app = express();
app.use(createAaepRouter({ hub }));
app.get('/raw', (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.write(': raw\n\n');
  raw.add(res);
  res.on('close', () => raw.delete(res));
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

async function withClients<T>(path: string, expect: number, latency: boolean, drive: () => Promise<void> | void): Promise<{ ms: number; latencies: number[] }> {
  const child = fork(new URL('./fanoutClients.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const messages: Array<{ kind: string; ms?: number; latencies?: number[]; message?: string }> = [];
  let wake: (() => void) | undefined;
  child.on('message', (message: { kind: string }) => {
    messages.push(message);
    wake?.();
  });
  const next = async (kind: string) => {
    for (;;) {
      const found = messages.find((m) => m.kind === kind || m.kind === 'error');
      if (found) {
        if (found.kind === 'error') throw new Error(found.message);
        return found;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  child.send({ url, path, connections: SUBSCRIBERS, expect, latency });
  await next('open');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const start = performance.now();
  await drive();
  const done = await next('done');
  const ms = performance.now() - start;
  child.kill();
  return { ms, latencies: done.latencies ?? [] };
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

// 1. Latency at a steady 1,000 events/s.
const steady = SECONDS * 1000;
const latency = await withClients('/aaep/v1/events', steady, true, () => new Promise<void>((resolve) => {
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < 10 && sent < steady; i++, sent++) hub.publish(event());
    if (sent >= steady) {
      clearInterval(timer);
      resolve();
    }
  }, 10);
}));

// 2. Throughput: the same burst through the hub, and written directly.
const burst = Array.from({ length: BURST }, event);
const viaHub = await withClients('/aaep/v1/events', BURST, false, async () => {
  for (let i = 0; i < burst.length; i++) {
    hub.publish(burst[i]!);
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
});
const frames = burst.map((e) => Buffer.from(sseFrame({ event: 'aaep.event', id: e.event_id, data: JSON.stringify(e) })));
const direct = await withClients('/raw', BURST, false, async () => {
  for (let i = 0; i < frames.length; i += 100) {
    const chunk = Buffer.concat(frames.slice(i, i + 100));
    for (const res of raw) res.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
});

const deliveries = SUBSCRIBERS * BURST;
console.log(`fan-out: ${SUBSCRIBERS} SSE subscribers on loopback (second process)`);
console.log(`  latency at 1000 events/s for ${SECONDS} s: p50 ${percentile(latency.latencies, 50)} ms, p99 ${percentile(latency.latencies, 99)} ms over ${latency.latencies.length} deliveries (target p99 <= 50 ms)`);
console.log(`  burst of ${BURST} events: hub ${(deliveries / (viaHub.ms / 1000)).toFixed(0)} deliveries/s, direct writes ${(deliveries / (direct.ms / 1000)).toFixed(0)} deliveries/s`);
console.log(`  throughput ratio ${(direct.ms / viaHub.ms).toFixed(3)}x (target >= 0.8x)`);
hub.close();
for (const res of raw) res.end();
server.closeAllConnections();
server.close();
report([
  { metric: `fan-out p99 latency, ${SUBSCRIBERS} subscribers at 1000 events/s`, value: percentile(latency.latencies, 99), unit: 'ms', target: '<= 50', met: percentile(latency.latencies, 99) <= 50 },
  { metric: `fan-out p50 latency`, value: percentile(latency.latencies, 50), unit: 'ms', target: '', met: undefined },
  { metric: 'fan-out throughput vs direct socket writes', value: Number((direct.ms / viaHub.ms).toFixed(3)), unit: 'x', target: '>= 0.8', met: direct.ms / viaHub.ms >= 0.8 },
]);
