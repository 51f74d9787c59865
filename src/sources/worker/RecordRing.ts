/**
 * A single-producer, single-consumer byte ring in a SharedArrayBuffer: the agent's
 * thread writes length-prefixed records, the translator's worker reads them. No
 * message is posted per record and nothing is cloned; the writer wakes the reader
 * only when the reader said it is going to sleep.
 *
 * Positions are byte counters that wrap at 2^32 (unsigned differences stay right
 * while the capacity is below 2^31); a record never straddles the end: when it does
 * not fit before it, the writer leaves a skip marker and starts again at the front.
 */

/** Header slots (Int32): where the writer and reader are, and who is asleep. */
const WRITE = 0;
const READ = 1;
const READER_ASLEEP = 2;
const WRITER_WAITING = 3;
const HEADER_BYTES = 16;
const LENGTH_BYTES = 4;
/** A length that means "nothing more before the end; continue at the front". */
const SKIP = 0xffffffff;

export const DEFAULT_RING_BYTES = 8 * 1024 * 1024;

/** The memory both sides share; created by the writer's side and passed to the worker. */
export function createRingBuffer(capacity = DEFAULT_RING_BYTES): SharedArrayBuffer {
  if (!Number.isInteger(Math.log2(capacity)) || capacity < 4096 || capacity > 2 ** 30) {
    throw new RangeError(`ring capacity must be a power of two between 4 KiB and 1 GiB, not ${capacity}`);
  }
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

abstract class RingSide {
  protected readonly header: Int32Array;
  protected readonly bytes: Uint8Array;
  protected readonly view: DataView;
  readonly capacity: number;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.capacity = buffer.byteLength - HEADER_BYTES;
    this.bytes = new Uint8Array(buffer, HEADER_BYTES, this.capacity);
    this.view = new DataView(buffer, HEADER_BYTES, this.capacity);
  }

  /** Bytes written and not yet read. */
  get used(): number {
    return (Atomics.load(this.header, WRITE) - Atomics.load(this.header, READ)) >>> 0;
  }
}

export class RingWriter extends RingSide {
  /** The largest record the ring takes: half of it, so a record and a skip before it always fit. */
  get maxRecordBytes(): number {
    return this.capacity / 2 - LENGTH_BYTES;
  }

  /**
   * Appends one record. When the ring is full it waits for the reader, at most
   * `maxWaitMs` in all, and returns the milliseconds it waited; -1 when the reader
   * did not make room in time (the record is not written).
   */
  write(record: Uint8Array, maxWaitMs: number): number {
    const need = LENGTH_BYTES + record.length;
    const mask = this.capacity - 1;
    let write = Atomics.load(this.header, WRITE) >>> 0;
    const offset = write & mask;
    // Room before the end for the record, else a skip to the front and the record there.
    const tail = this.capacity - offset;
    const total = tail < need ? tail + need : need;
    const waited = this.waitForRoom(write, total, maxWaitMs);
    if (waited < 0) return -1;
    if (tail < need) {
      if (tail >= LENGTH_BYTES) this.view.setUint32(offset, SKIP, true);
      write = (write + tail) >>> 0;
    }
    const at = write & mask;
    this.view.setUint32(at, record.length, true);
    this.bytes.set(record, at + LENGTH_BYTES);
    Atomics.store(this.header, WRITE, (write + need) | 0);
    this.wakeReader();
    return waited;
  }

  /** Whether the reader said it is going to sleep (and has not been woken since). */
  get readerAsleep(): boolean {
    return Atomics.load(this.header, READER_ASLEEP) === 1;
  }

  private wakeReader(): void {
    if (Atomics.load(this.header, READER_ASLEEP) === 1 && Atomics.compareExchange(this.header, READER_ASLEEP, 1, 0) === 1) {
      Atomics.notify(this.header, READER_ASLEEP);
    }
  }

  private waitForRoom(write: number, total: number, maxWaitMs: number): number {
    if (this.capacity - ((write - (Atomics.load(this.header, READ) >>> 0)) >>> 0) >= total) return 0;
    const started = performance.now();
    for (;;) {
      const read = Atomics.load(this.header, READ);
      if (this.capacity - ((write - (read >>> 0)) >>> 0) >= total) return performance.now() - started;
      const left = maxWaitMs - (performance.now() - started);
      if (left <= 0) return -1;
      Atomics.store(this.header, WRITER_WAITING, 1);
      // Blocks this thread: back-pressure, so a worker that falls behind holds the agent back instead of losing records.
      Atomics.wait(this.header, READ, read, Math.min(left, 50));
    }
  }
}

export class RingReader extends RingSide {
  /**
   * Calls `each` with every record written so far, up to `max` of them (a view
   * into the ring, valid only during the call), then frees their space. Returns
   * how many it read.
   */
  read(each: (record: Uint8Array) => void, max = Infinity): number {
    const mask = this.capacity - 1;
    let read = Atomics.load(this.header, READ) >>> 0;
    const write = Atomics.load(this.header, WRITE) >>> 0;
    let count = 0;
    try {
      while (read !== write && count < max) {
        const at = read & mask;
        const tail = this.capacity - at;
        if (tail < LENGTH_BYTES || this.view.getUint32(at, true) === SKIP) {
          read = (read + tail) >>> 0;
          continue;
        }
        const length = this.view.getUint32(at, true);
        const start = at + LENGTH_BYTES;
        count++;
        read = (read + LENGTH_BYTES + length) >>> 0;
        each(this.bytes.subarray(start, start + length));
      }
    } finally {
      Atomics.store(this.header, READ, read | 0);
      if (Atomics.load(this.header, WRITER_WAITING) === 1) {
        Atomics.store(this.header, WRITER_WAITING, 0);
        Atomics.notify(this.header, READ);
      }
    }
    return count;
  }

  /** Resolves when the writer appends after this call (at once if it already has). */
  async nextWrite(): Promise<void> {
    const seen = Atomics.load(this.header, READ);
    Atomics.store(this.header, READER_ASLEEP, 1);
    // Checked after saying so: a write that came in between is not slept through.
    if (Atomics.load(this.header, WRITE) !== seen) {
      Atomics.store(this.header, READER_ASLEEP, 0);
      return;
    }
    const { async, value } = Atomics.waitAsync(this.header, READER_ASLEEP, 1);
    if (async) await value;
  }

  /** Wakes a reader waiting in `nextWrite` without a write, so it can stop. */
  wake(): void {
    Atomics.store(this.header, READER_ASLEEP, 0);
    Atomics.notify(this.header, READER_ASLEEP);
  }
}
