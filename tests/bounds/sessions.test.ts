import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMIT_DEFAULTS } from '../../src/limits.js';
import {
  AAEP_SIGNAL,
  AAEP_SIGNAL_NAME,
  AAEP_SIGNAL_SESSION_SPAN_ID,
  AAEP_SIGNAL_SPAN_ID,
} from '../../src/semconv/attributes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What one open session may cost the receiver, its thread and its translation
 * workers together: measured at about 1.0 KiB in one thread (session state, its
 * root span, ids), documented as at most 2 KiB; with workers about 2.9 KiB (the
 * receiver's thread also keeps each open session's catch-up), documented as at
 * most 4 KiB, in README's configuration table. The stores that do not grow with
 * sessions — the memory of 65,536 resent signal ids and of 4,096 recently ended
 * or refused spans, about 6.5 MiB when full, in each translating thread — are
 * allowed on top. The hub's ring is allocated at start-up. Without the session
 * bound the same 100,000 sessions take about 108 MB.
 */
const BYTES_PER_SESSION = { inThread: 2 * 1024, workers: 4 * 1024 };
const FIXED_BYTES_PER_THREAD = 8 * 1024 * 1024;
const SESSIONS = 100_000;
const BATCH = 5_000;

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly logs: Array<Record<string, unknown>>;
  heap(): Promise<number>;
}

let child: Child | undefined;
afterEach(() => {
  child?.process.stdin.end();
  child?.process.kill();
  child = undefined;
});

async function startHeapReceiver(args: string[]): Promise<Child> {
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'tests/helpers/heapReceiver.ts', ...args], {
    cwd: root,
    env: { ...process.env },
  });
  const logs: Array<Record<string, unknown>> = [];
  const heaps: Array<(bytes: number) => void> = [];
  let buffered = '';
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`receiver exited with ${code}: ${stderr}`)));
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        buffered = buffered.slice(newline + 1);
        if (typeof line.url === 'string') resolve(line.url);
        else if (typeof line.heap === 'number') heaps.shift()!(line.heap);
        else logs.push(line);
      }
    });
  });
  return {
    process: proc,
    url,
    logs,
    heap: () =>
      new Promise((resolve) => {
        heaps.push(resolve);
        proc.stdin.write('heap\n');
      }),
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const NOW = BigInt(Date.now()) * 1_000_000n;

/** A start signal of a session span that never ends, as AaepSignalProcessor would export it. */
function sessionSignal(n: number) {
  const sessionSpanId = `a${hex(n, 15)}`;
  const time = String(NOW + BigInt(n) * 1_000n);
  const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return {
    traceId: `c${hex(n, 31)}`,
    spanId: `b${hex(n, 15)}`,
    parentSpanId: sessionSpanId,
    name: AAEP_SIGNAL,
    kind: 1,
    startTimeUnixNano: time,
    endTimeUnixNano: time,
    attributes: [
      attribute('gen_ai.operation.name', 'invoke_agent'),
      attribute('gen_ai.agent.name', 'Flooder'),
      attribute(AAEP_SIGNAL, 'start'),
      attribute(AAEP_SIGNAL_SPAN_ID, sessionSpanId),
      attribute(AAEP_SIGNAL_NAME, 'invoke_agent'),
      attribute(AAEP_SIGNAL_SESSION_SPAN_ID, sessionSpanId),
    ],
    status: {},
  };
}

async function exportSignals(url: string, from: number, count: number): Promise<{ rejectedSpans: string; errorMessage: string } | undefined> {
  const spans = Array.from({ length: count }, (_, i) => sessionSignal(from + i));
  const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'aaep-otel-signals' }, spans }] }] });
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  expect(response.status).toBe(200);
  return ((await response.json()) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } }).partialSuccess;
}

describe.each([
  ['in the receiver\'s thread', 0],
  ['with two translation workers', 2],
])('open sessions at the receiver, translated %s,', (_, workers) => {
  it('keep memory under the documented bound for 100,000 never-ending sessions, and refuse those beyond the cap in partial_success', async () => {
    child = await startHeapReceiver(['--workers', String(workers)]);
    const limit = LIMIT_DEFAULTS.sessions;
    // Warm up code paths and the hub's ring, then measure from there.
    await exportSignals(child.url, 10_000_000, 100);
    const before = await child.heap();
    let rejected = 0;
    const messages = new Set<string>();
    for (let from = 0; from < SESSIONS; from += BATCH) {
      const partial = await exportSignals(child.url, from, BATCH);
      if (partial === undefined) continue;
      rejected += Number(partial.rejectedSpans);
      messages.add(partial.errorMessage.replace(/^\d+/, 'N'));
    }
    const after = await child.heap();
    const growth = after - before;
    // The 100 warm-up sessions are open too.
    expect(rejected).toBe(SESSIONS + 100 - limit);
    expect([...messages]).toEqual(['N span(s) refused: too many open sessions or spans (AAEP_MAX_SESSIONS, AAEP_MAX_SPANS_PER_SESSION)']);
    const perSession = workers === 0 ? BYTES_PER_SESSION.inThread : BYTES_PER_SESSION.workers;
    expect(growth).toBeLessThan(limit * perSession + Math.max(1, workers) * FIXED_BYTES_PER_THREAD);

    const ready = (await (await fetch(`${child.url}/readyz`)).json()) as { sessions: { size: number; limit: number } };
    expect(ready.sessions).toEqual({ size: limit, limit });
    // Reported once, not once per refused span.
    expect(child.logs.filter((line) => line.limit === 'sessions')).toHaveLength(1);
  }, 60_000);
});
