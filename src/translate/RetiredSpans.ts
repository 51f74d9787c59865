import { CLOSED, type SessionHandle, type SessionState } from './SessionState.js';

const MAX_RETIRED_SPANS = 4096;

interface RetiredSpan {
  readonly traceId: string;
  readonly handle: SessionHandle;
}

/**
 * Recently ended spans and their session (bounded), so a span that starts after
 * its parent ended still joins the right session, or stays silent when that
 * session is over, instead of opening a session of its own.
 */
export class RetiredSpans {
  private readonly retired = new Map<string, RetiredSpan>();
  /** Insertion order of `retired`, as a ring: evicting by Map iteration degrades after many deletes. */
  private readonly order: string[] = [];
  private next = 0;

  /** The session of a recently ended span: the open session, or CLOSED once it is over. */
  sessionOf(traceId: string, spanId: string): SessionState | undefined {
    const retired = this.retired.get(spanId);
    if (retired === undefined || retired.traceId !== traceId) return undefined;
    return retired.handle.session ?? CLOSED;
  }

  retire(key: string, traceId: string, handle: SessionHandle): void {
    const evicted = this.order[this.next];
    if (evicted !== undefined) this.retired.delete(evicted);
    this.order[this.next] = key;
    this.next = (this.next + 1) % MAX_RETIRED_SPANS;
    this.retired.set(key, { traceId, handle });
  }
}
