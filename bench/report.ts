/** The one line each benchmark prints for `npm run bench` to gather into its table. */
export interface BenchResult {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly target: string;
  /** Whether the target was met; undefined for figures without one. */
  readonly met: boolean | undefined;
}

export const RESULT_PREFIX = 'BENCH_RESULT ';

export function report(results: readonly BenchResult[]): void {
  for (const result of results) console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
}
