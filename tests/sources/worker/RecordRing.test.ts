import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createRingBuffer, DEFAULT_RING_BYTES, RingReader, RingWriter } from '../../../src/sources/worker/RecordRing.js';
import { ringRecord, type RingWriterThreadData, type RingWriterThreadReport } from './ringWriterThread.js';
import { seeded } from '../../helpers/seeded.js';

const SMALL = 4096;
/** Bytes a record takes in the ring besides its own: the length in front of it. */
const LENGTH_BYTES = 4;
/** A record that takes a quarter of the small ring with its length. */
const QUARTER = SMALL / 4 - LENGTH_BYTES;


function ring(capacity = SMALL): { buffer: SharedArrayBuffer; writer: RingWriter; reader: RingReader } {
  const buffer = createRingBuffer(capacity);
  return { buffer, writer: new RingWriter(buffer), reader: new RingReader(buffer) };
}

function filled(length: number, seed: number): Uint8Array {
  const record = new Uint8Array(length);
  for (let i = 0; i < length; i++) record[i] = (seed * 131 + i * 7) & 0xff;
  return record;
}

/** Everything the reader has, copied out (the views are only valid during the call). */
function readAll(reader: RingReader, max = Infinity): Uint8Array[] {
  const records: Uint8Array[] = [];
  reader.read((record) => records.push(record.slice()), max);
  return records;
}

/** The same records, byte for byte, in the same order (compared as buffers: element-wise toEqual is slow on thousands). */
function expectSameRecords(received: readonly Uint8Array[], sent: readonly Uint8Array[]): void {
  expect(received.length).toBe(sent.length);
  const first = sent.findIndex((record, i) => !Buffer.from(record).equals(received[i]!));
  if (first >= 0) expect(received[first], `record ${first}`).toEqual(sent[first]);
  expect(first).toBe(-1);
}

/** Whether the promise has settled before the event loop gets to run timers and I/O. */
async function settledAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

describe('createRingBuffer', () => {
  it('makes a shared buffer of the capacity plus the header, 8 MiB by default', () => {
    const buffer = createRingBuffer(SMALL);
    expect(buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(new RingWriter(buffer).capacity).toBe(SMALL);
    expect(new RingReader(buffer).capacity).toBe(SMALL);
    expect(new RingWriter(createRingBuffer()).capacity).toBe(DEFAULT_RING_BYTES);
  });

  it('refuses a capacity that is not a power of two', () => {
    for (const capacity of [5000, 4097, 6144, 3 * 4096, 4096.5, Number.NaN]) {
      expect(() => createRingBuffer(capacity), String(capacity)).toThrow(RangeError);
    }
  });

  it('refuses a capacity below 4 KiB or above 1 GiB', () => {
    for (const capacity of [2048, 1024, 1, 0, 2 ** 31]) {
      expect(() => createRingBuffer(capacity), String(capacity)).toThrow(/power of two between 4 KiB and 1 GiB/);
    }
    expect(() => createRingBuffer(4096)).not.toThrow();
  });
});

describe('RingWriter and RingReader', () => {
  it('takes records up to half the ring, less their length', () => {
    expect(ring(SMALL).writer.maxRecordBytes).toBe(SMALL / 2 - LENGTH_BYTES);
    expect(ring(65536).writer.maxRecordBytes).toBe(65536 / 2 - LENGTH_BYTES);
  });

  it('finds room for the largest record it takes in an empty ring, wherever the last record ended', () => {
    const { writer, reader } = ring(SMALL);
    const largest = filled(writer.maxRecordBytes, 11);
    for (let filler = 0; filler < 400; filler += 13) {
      expect(writer.write(filled(filler, filler), 0)).toBe(0);
      expect(readAll(reader)).toEqual([filled(filler, filler)]);
      expect(writer.write(largest, 0), `after ${filler}`).toBe(0);
      expect(readAll(reader)).toEqual([largest]);
    }
  });

  it('hands records to the reader in the order written, across wrap-arounds', () => {
    const { writer, reader } = ring(SMALL);
    const next = seeded(20240611);
    const sent: Uint8Array[] = [];
    const received: Uint8Array[] = [];
    let bytesWritten = 0;
    let index = 0;
    while (bytesWritten < 300 * SMALL) {
      // Write a few while there is surely room (a skip to the front costs less than one more record), then read some.
      const burst = 1 + Math.floor(next() * 6);
      for (let i = 0; i < burst; i++) {
        const length = Math.floor(next() * (writer.maxRecordBytes + 1));
        if (SMALL - writer.used < 2 * (LENGTH_BYTES + length)) break;
        const record = filled(length, index++);
        for (let j = 0; j < length; j += 97) record[j] = Math.floor(next() * 256);
        expect(writer.write(record, 0)).toBe(0);
        sent.push(record.slice());
        bytesWritten += LENGTH_BYTES + length;
      }
      const max = 1 + Math.floor(next() * 4);
      const before = received.length;
      const count = reader.read((record) => received.push(record.slice()), max);
      expect(count).toBe(received.length - before);
      expect(count).toBeLessThanOrEqual(max);
    }
    received.push(...readAll(reader));
    expect(reader.used).toBe(0);
    expectSameRecords(received, sent);
    expect(sent.length).toBeGreaterThan(800);
    // Some records were empty and some as large as the ring takes, so the sizes really varied.
    expect(sent.some((record) => record.length < 50)).toBe(true);
    expect(sent.some((record) => record.length > writer.maxRecordBytes - 50)).toBe(true);
  });

  it('sends a record that does not fit before the end to the front, with or without room there for a skip marker', () => {
    const { writer, reader } = ring(SMALL);
    const quarter = filled(QUARTER, 1);
    for (let i = 0; i < 3; i++) {
      expect(writer.write(quarter, 0)).toBe(0);
      expect(readAll(reader)).toEqual([quarter]);
    }
    // 3072 bytes in: a record ending 2 bytes before the end leaves no room for a skip marker.
    const short = filled(SMALL - 3 * 1024 - 2 - LENGTH_BYTES, 2);
    expect(writer.write(short, 0)).toBe(0);
    expect(readAll(reader)).toEqual([short]);
    const afterTwo = filled(10, 3);
    expect(writer.write(afterTwo, 0)).toBe(0);
    // The two bytes at the end count as used until the reader passes them.
    expect(reader.used).toBe(2 + LENGTH_BYTES + 10);
    expect(readAll(reader)).toEqual([afterTwo]);
    expect(reader.used).toBe(0);

    // Now 14 bytes in; fill up to 20 bytes before the end, where a skip marker fits.
    const toTwenty = filled(SMALL - 20 - 14 - 3 * 1024 - LENGTH_BYTES, 4);
    for (const record of [quarter, quarter, quarter, toTwenty]) expect(writer.write(record, 0)).toBe(0);
    expect(readAll(reader)).toEqual([quarter, quarter, quarter, toTwenty]);
    const afterTwenty = filled(100, 5);
    expect(writer.write(afterTwenty, 0)).toBe(0);
    expect(reader.used).toBe(20 + LENGTH_BYTES + 100);
    expect(readAll(reader)).toEqual([afterTwenty]);
    expect(reader.used).toBe(0);
  });

  it('keeps records in order when its byte counters wrap past 2^32', () => {
    const { buffer, writer, reader } = ring(SMALL);
    // Both counters start 10 KiB short of 2^32, as after 4 GiB of records.
    const header = new Int32Array(buffer, 0, 2);
    header[0] = (2 ** 32 - 10_000) | 0;
    header[1] = header[0];
    expect(reader.used).toBe(0);
    const sent: Uint8Array[] = [];
    const received: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const record = filled(50 + ((i * 53) % 600), i);
      expect(writer.write(record, 0)).toBe(0);
      sent.push(record);
      expect(reader.used).toBeGreaterThanOrEqual(LENGTH_BYTES + record.length);
      received.push(...readAll(reader));
      expect(reader.used).toBe(0);
    }
    expect(header[0]! >>> 0).toBeLessThan(2 ** 31); // it did wrap
    expectSameRecords(received, sent);
  });

  it('makes a writer facing a full ring wait, then give up with -1 when nobody reads', () => {
    const { writer, reader } = ring(SMALL);
    const quarter = filled(QUARTER, 7);
    for (let i = 0; i < 4; i++) expect(writer.write(quarter, 30)).toBe(0);
    expect(writer.used).toBe(SMALL);
    const started = performance.now();
    expect(writer.write(filled(1, 8), 30)).toBe(-1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    // The record it gave up on was not written; the four before it are intact.
    expect(writer.used).toBe(SMALL);
    expect(readAll(reader)).toEqual([quarter, quarter, quarter, quarter]);
    expect(writer.write(filled(1, 8), 30)).toBe(0);
    expect(readAll(reader)).toEqual([filled(1, 8)]);
  });

  it('gives up at once with a wait of 0 ms when the ring is full', () => {
    const { writer } = ring(SMALL);
    const quarter = filled(QUARTER, 9);
    for (let i = 0; i < 4; i++) writer.write(quarter, 0);
    const started = performance.now();
    expect(writer.write(quarter, 0)).toBe(-1);
    expect(performance.now() - started).toBeLessThan(20);
  });

  it('reads at most max records and leaves the rest for the next read', () => {
    const { writer, reader } = ring(SMALL);
    const records = Array.from({ length: 7 }, (_, i) => filled(10 + i, i));
    for (const record of records) writer.write(record, 0);
    expect(readAll(reader, 3)).toEqual(records.slice(0, 3));
    expect(reader.used).toBe(records.slice(3).reduce((sum, record) => sum + LENGTH_BYTES + record.length, 0));
    expect(readAll(reader, 0)).toEqual([]);
    expect(readAll(reader, 2)).toEqual(records.slice(3, 5));
    expect(reader.read(() => {}, 10)).toBe(2);
    expect(reader.read(() => {})).toBe(0);
  });

  it('counts unread bytes in used, back to 0 once all are read', () => {
    const { writer, reader } = ring(SMALL);
    expect(writer.used).toBe(0);
    writer.write(filled(100, 1), 0);
    expect(writer.used).toBe(104);
    expect(reader.used).toBe(104);
    writer.write(new Uint8Array(0), 0);
    expect(reader.used).toBe(108);
    expect(readAll(reader, 1)).toEqual([filled(100, 1)]);
    expect(reader.used).toBe(4);
    expect(readAll(reader)).toEqual([new Uint8Array(0)]);
    expect(reader.used).toBe(0);
    expect(writer.used).toBe(0);
  });

  it('resolves nextWrite at once when something is unread', async () => {
    const { writer, reader } = ring(SMALL);
    writer.write(filled(5, 1), 0);
    expect(await settledAtOnce(reader.nextWrite())).toBe(true);
    // Still there to read: nextWrite only waits, it does not consume.
    expect(readAll(reader)).toEqual([filled(5, 1)]);
  });

  it('resolves nextWrite after a later write, not before', async () => {
    const { writer, reader } = ring(SMALL);
    writer.write(filled(5, 1), 0);
    readAll(reader);
    const waiting = reader.nextWrite();
    expect(await settledAtOnce(waiting)).toBe(false);
    await delay(20);
    expect(await settledAtOnce(waiting)).toBe(false);
    setTimeout(() => writer.write(filled(6, 2), 0), 10);
    await waiting;
    expect(readAll(reader)).toEqual([filled(6, 2)]);
  });

  it('wakes a reader waiting in nextWrite without a write', async () => {
    const { reader } = ring(SMALL);
    const waiting = reader.nextWrite();
    expect(await settledAtOnce(waiting)).toBe(false);
    reader.wake();
    await waiting;
    expect(reader.read(() => {})).toBe(0);
  });

  it('hands the reader every record a writer on another thread writes, in order, holding the writer back when full', async () => {
    const buffer = createRingBuffer(SMALL);
    const reader = new RingReader(buffer);
    const count = 2000;
    const tsx = import.meta.resolve('tsx/esm/api');
    const helper = new URL('./ringWriterThread.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(helper)}))`;
    const workerData: RingWriterThreadData = { ring: buffer, count, maxWaitMs: 10_000 };
    const worker = new Worker(code, { eval: true, workerData });
    const failed = once(worker, 'error').then(([error]) => Promise.reject(error as Error));
    const reported = once(worker, 'message').then(([report]) => report as RingWriterThreadReport);
    try {
      const received: Uint8Array[] = [];
      const deadline = Date.now() + 15_000;
      // Let the writer fill the ring and block on it: nothing read, and nothing more written for 50 ms.
      let stable = 0;
      for (let last = -1; stable < 5 && Date.now() < deadline; await Promise.race([delay(10), failed])) {
        stable = reader.used === last && last > SMALL - 1024 ? stable + 1 : 0;
        last = reader.used;
      }
      expect(reader.used).toBeGreaterThan(SMALL - 1024);
      while (received.length < count && Date.now() < deadline) {
        await Promise.race([reader.nextWrite(), failed, delay(200)]);
        // A little at a time, so the writer keeps running into a full ring.
        reader.read((record) => received.push(record.slice()), 3);
      }
      expectSameRecords(received, Array.from({ length: count }, (_, i) => ringRecord(i)));
      const report = await Promise.race([reported, failed]);
      expect(report.written).toBe(count);
      expect(report.failed).toBe(0);
      expect(report.waitedWrites).toBeGreaterThan(0);
      // Woken as soon as the reader makes room, not at the end of each 50 ms nap.
      expect((report.waitedMs - report.longestWaitMs) / (report.waitedWrites - 1)).toBeLessThan(15);
      expect(reader.used).toBe(0);
    } finally {
      await worker.terminate();
    }
  });
});
