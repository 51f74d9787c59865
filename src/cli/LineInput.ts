import { createInterface, type Interface } from 'node:readline';

/**
 * Lines typed in answer to a question, from a terminal or a pipe alike (no raw
 * mode). A line typed while nothing is asked is dropped: a stale "y" must never
 * approve a later action.
 */
export class LineInput {
  private readonly lines: Interface;
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;

  constructor(input: NodeJS.ReadableStream) {
    this.lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    this.lines.on('line', (line) => this.answer(line));
    this.lines.on('close', () => {
      this.ended = true;
      this.answer(undefined);
    });
  }

  /** The next line typed from now on; undefined once input has ended or `signal` aborts. */
  next(signal?: AbortSignal): Promise<string | undefined> {
    if (this.ended || signal?.aborted === true) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const stop = () => this.answer(undefined);
      signal?.addEventListener('abort', stop, { once: true });
      this.waiting = (line) => {
        signal?.removeEventListener('abort', stop);
        resolve(line);
      };
    });
  }

  close(): void {
    this.lines.close();
  }

  private answer(line: string | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(line);
  }
}
