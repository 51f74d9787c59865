/**
 * Run inside a worker thread by Tally.test.ts (loaded through tsx): races the
 * other threads for room in one shared tally, then reports how much it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Tally } from '../src/Tally.js';

export interface TallyThreadData {
  readonly buffer: SharedArrayBuffer;
  readonly attempts: number;
  readonly limit: number;
}

const { buffer, attempts, limit } = workerData as TallyThreadData;
const tally = new Tally(buffer);
let taken = 0;
for (let i = 0; i < attempts; i++) {
  if (tally.tryAdd(1, limit)) taken++;
  // Room given back and taken again, so the threads keep meeting at the bound; the last tries only take.
  if (i % 7 === 0 && i < attempts - 1_000 && taken > 0) {
    tally.add(-1);
    taken--;
  }
}
parentPort!.postMessage(taken);
