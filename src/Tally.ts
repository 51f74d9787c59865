/**
 * A count against a bound that several threads may share: over a
 * SharedArrayBuffer, translation workers hold the receiver's bounds on open
 * sessions and held spans together, exactly, with atomic operations.
 */
export class Tally {
  private readonly cell: Int32Array;

  /** A count of its own, or the one `buffer` (from another tally's `buffer`) holds. */
  constructor(buffer?: SharedArrayBuffer) {
    this.cell = new Int32Array(buffer ?? new SharedArrayBuffer(4), 0, 1);
  }

  /** What to hand another thread for it to share this count. */
  get buffer(): SharedArrayBuffer {
    return this.cell.buffer as SharedArrayBuffer;
  }

  get size(): number {
    return Atomics.load(this.cell, 0);
  }

  add(count: number): void {
    Atomics.add(this.cell, 0, count);
  }

  /** Adds `count` unless that would take the count beyond `limit`; says whether it did. */
  tryAdd(count: number, limit: number): boolean {
    for (;;) {
      const now = Atomics.load(this.cell, 0);
      if (now + count > limit) return false;
      if (Atomics.compareExchange(this.cell, 0, now, now + count) === now) return true;
    }
  }
}
