/**
 * Run inside a worker thread by RecordRing.test.ts (loaded through tsx): writes
 * `count` numbered records into the shared ring, then reports how the writes went.
 * Record i is 4 bytes of i (little-endian) followed by ringRecordPayload(i).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingWriter } from '../../../src/sources/worker/RecordRing.js';

export interface RingWriterThreadData {
  readonly ring: SharedArrayBuffer;
  readonly count: number;
  readonly maxWaitMs: number;
}

export interface RingWriterThreadReport {
  readonly written: number;
  readonly failed: number;
  /** Writes that had to wait for the reader (returned more than 0 ms). */
  readonly waitedWrites: number;
  /** Milliseconds those writes waited in all. */
  readonly waitedMs: number;
  /** The longest of them (the first, while the reader let the ring fill). */
  readonly longestWaitMs: number;
}

/** The bytes after the number in record `index`: a length and content that vary with it. */
export function ringRecord(index: number): Uint8Array {
  const length = 4 + ((index * 37) % 700);
  const record = new Uint8Array(length);
  new DataView(record.buffer).setUint32(0, index, true);
  for (let i = 4; i < length; i++) record[i] = (index * 31 + i) & 0xff;
  return record;
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'ring' in workerData) {
  const data = workerData as RingWriterThreadData;
  const writer = new RingWriter(data.ring);
  let written = 0;
  let failed = 0;
  let waitedWrites = 0;
  let waitedMs = 0;
  let longestWaitMs = 0;
  for (let i = 0; i < data.count; i++) {
    const waited = writer.write(ringRecord(i), data.maxWaitMs);
    if (waited < 0) failed++;
    else {
      written++;
      if (waited > 0) waitedWrites++;
      waitedMs += waited;
      longestWaitMs = Math.max(longestWaitMs, waited);
    }
  }
  parentPort.postMessage({ written, failed, waitedWrites, waitedMs, longestWaitMs } satisfies RingWriterThreadReport);
}
