import { diag } from '@opentelemetry/api';
import { readEnvNumber } from './env.js';

/**
 * The bound of every store that grows with what spans, exporters or listeners
 * send. Each is an option, else its `AAEP_*` variable, else this default; at a
 * bound the offender (a trace, a session, a client) is refused and reported
 * once, and everyone else keeps working.
 */
export const LIMIT_DEFAULTS = {
  /** Sessions open at once (started, no terminal event yet). */
  sessions: 10_000,
  /** Open spans followed in one session. */
  spansPerSession: 1_000,
  /** Spans of one trace held by the receiver while their parent has not arrived. */
  heldSpansPerTrace: 10_000,
  /** Spans held by the receiver in total while their parent has not arrived. */
  heldSpans: 200_000,
  /** Event-stream subscribers connected at once. */
  subscribers: 1_000,
  /** Reply tokens outstanding (questions on the stream not answered, expired or ended). */
  pendingReplies: 10_000,
  /** Spans of late-classifying instrumentations held back until they say what they are. */
  unclassifiedSpans: 1_000,
  /** Answers the receiver keeps for agents in other processes to fetch; the oldest go first. */
  decisions: 10_000,
} as const;

export type LimitName = keyof typeof LIMIT_DEFAULTS;

export const LIMIT_ENV: Record<LimitName, string> = {
  sessions: 'AAEP_MAX_SESSIONS',
  spansPerSession: 'AAEP_MAX_SPANS_PER_SESSION',
  heldSpansPerTrace: 'AAEP_MAX_HELD_SPANS_PER_TRACE',
  heldSpans: 'AAEP_MAX_HELD_SPANS',
  subscribers: 'AAEP_MAX_SUBSCRIBERS',
  pendingReplies: 'AAEP_MAX_PENDING_REPLIES',
  unclassifiedSpans: 'AAEP_MAX_UNCLASSIFIED_SPANS',
  decisions: 'AAEP_MAX_DECISIONS',
};

/** A bound was reached; told once per offender (a trace, a session) or per episode of a shared store filling up. */
export interface LimitReached {
  readonly limit: LimitName;
  readonly bound: number;
  readonly message: string;
  /** The trace or session refused, when one is to blame. */
  readonly traceId?: string;
  readonly sessionId?: string;
}

/** How full a store is. */
export interface StoreUsage {
  readonly size: number;
  readonly limit: number;
}

/** The library's report of a bound reached: one `diag` warning. */
export function warnLimit(reached: LimitReached): void {
  diag.warn(`aaep-otel: ${reached.message}`);
}

/**
 * The explicit value, else the `AAEP_*` variable, else the default, as a whole
 * number of at least 1 (a bound of 0 would refuse everything; there is no "unbounded").
 */
export function resolveLimit(name: LimitName, explicit?: number): number {
  const value = explicit ?? readEnvNumber(LIMIT_ENV[name]);
  if (value === undefined) return LIMIT_DEFAULTS[name];
  if (!Number.isFinite(value) || value < 1) {
    diag.warn(`aaep-otel: ignoring ${name} bound ${value}: expected a whole number of at least 1; using ${LIMIT_DEFAULTS[name]}.`);
    return LIMIT_DEFAULTS[name];
  }
  return Math.floor(value);
}

/**
 * Reports a shared store's bound once per episode: again only after the store
 * has drained to 90 % of its bound, so a store hovering at its bound does not
 * log each refusal.
 */
export class LimitEpisode {
  private reported = false;

  constructor(private readonly report: () => void) {}

  /** The store refused something. */
  refused(): void {
    if (this.reported) return;
    this.reported = true;
    this.report();
  }

  /** The store's size changed; re-arms once it is well below its bound. */
  observe(size: number, limit: number): void {
    if (this.reported && size <= limit * 0.9) this.reported = false;
  }
}
