/**
 * `npm run bench`: runs every benchmark in its own process (one after the other,
 * so they do not compete for the two cores) and prints one table of results.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX, type BenchResult } from './report.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const BENCHES: ReadonlyArray<{ script: string; args?: string[] }> = [
  { script: 'bench/processor-overhead.ts' },
  { script: 'bench/capture-cost.ts' },
  { script: 'bench/redaction.ts' },
  { script: 'bench/per-event.ts' },
  { script: 'bench/worker-throughput.ts' },
  { script: 'bench/receiver-ingest.ts' },
  { script: 'bench/fanout.ts' },
  { script: 'bench/catchup.ts' },
  { script: 'bench/shared-hub.ts' },
  { script: 'bench/live-stream.ts' },
  { script: 'bench/time-to-ear.ts' },
  { script: 'bench/memory.ts', args: ['--expose-gc'] },
];

const rows: BenchResult[] = [];
for (const bench of BENCHES) {
  process.stdout.write(`running ${bench.script} …\n`);
  const run = spawnSync(process.execPath, [...(bench.args ?? []), '--import', 'tsx', bench.script], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  for (const line of run.stdout.split('\n')) {
    if (line.startsWith(RESULT_PREFIX)) rows.push(JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult);
    else if (line.trim() !== '') process.stdout.write(`  ${line}\n`);
  }
  if (run.status !== 0) process.stdout.write(`  FAILED (exit ${run.status}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
}

const width = Math.max(...rows.map((row) => row.metric.length));
console.log(`\n${'metric'.padEnd(width)}  ${'value'.padStart(12)}  ${'target'.padEnd(14)}  met`);
for (const row of rows) {
  const met = row.met === undefined ? '' : row.met ? 'yes' : 'NO';
  console.log(`${row.metric.padEnd(width)}  ${`${row.value} ${row.unit}`.padStart(12)}  ${row.target.padEnd(14)}  ${met}`);
}
