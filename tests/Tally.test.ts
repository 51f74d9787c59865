import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Tally } from '../src/Tally.js';
import type { TallyThreadData } from './tallyThread.js';

describe('a tally', () => {
  it('adds and takes room up to its limit, never beyond', () => {
    const tally = new Tally();
    expect(tally.tryAdd(3, 4)).toBe(true);
    expect(tally.tryAdd(2, 4)).toBe(false);
    expect(tally.size).toBe(3);
    expect(tally.tryAdd(1, 4)).toBe(true);
    tally.add(-2);
    expect(tally.size).toBe(2);
  });

  it('is one count for every tally made over its buffer', () => {
    const tally = new Tally();
    const other = new Tally(tally.buffer);
    other.add(5);
    expect(tally.size).toBe(5);
    expect(tally.tryAdd(1, 5)).toBe(false);
  });

  it('hands out exactly its limit to threads racing for it, however they interleave', async () => {
    const tally = new Tally();
    const limit = 5_000;
    const helper = new URL('./tallyThread.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(helper)}))`;
    const taken = await Promise.all(
      Array.from({ length: 4 }, () => {
        const workerData: TallyThreadData = { buffer: tally.buffer, attempts: 20_000, limit };
        const worker = new Worker(code, { eval: true, workerData });
        return new Promise<number>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }).finally(() => worker.terminate());
      }),
    );
    // Every thread kept trying after the bound was reached: together they hold it exactly.
    expect(taken.reduce((sum, each) => sum + each, 0)).toBe(tally.size);
    expect(tally.size).toBe(limit);
  });
});
