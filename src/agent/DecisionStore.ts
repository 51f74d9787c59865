import { resolveLimit, type StoreUsage } from '../limits.js';
import type { ReceivedReply } from '../protocol/index.js';
import type { PendingReply, ReplyRegistry } from './ReplyRegistry.js';
import type { ReplyRequest } from '../translate/index.js';

/** How a question asked in another process was settled here. */
export type RemoteDecision = { readonly reply: ReceivedReply } | { readonly cancelled: true } | { readonly expired: true };

/**
 * Where the receiver keeps the answers to questions that agents in other
 * processes asked (through span events), until those agents fetch them. Replies
 * pass the same registry checks as in-process; only a reply that was honoured
 * lands here. Bounded (`AAEP_MAX_DECISIONS`, default 10,000): the oldest answers
 * go first, and an agent that has not fetched its answer by then gets its default.
 * Waiters are long-polls, at most one per open request and 30 s each.
 */
export class DecisionStore {
  private readonly decided = new Map<string, RemoteDecision>();
  private readonly waiters = new Map<string, Set<(decision: RemoteDecision) => void>>();

  private readonly capacity: number;

  constructor(capacity?: number) {
    this.capacity = resolveLimit('decisions', capacity);
  }

  /** Answers kept, against their bound. */
  get usage(): StoreUsage {
    return { size: this.decided.size, limit: this.capacity };
  }

  /** Registers a question announced on the stream so replies to it are checked and kept. */
  track(registry: ReplyRegistry, request: ReplyRequest): void {
    registry.register(request.token, pendingFor(request, (decision) => this.settle(request.token, decision)));
  }

  settle(token: string, decision: RemoteDecision): void {
    if (this.decided.has(token)) return;
    this.decided.set(token, decision);
    if (this.decided.size > this.capacity) this.decided.delete(this.decided.keys().next().value!);
    const waiting = this.waiters.get(token);
    this.waiters.delete(token);
    for (const resolve of waiting ?? []) resolve(decision);
  }

  /** The decision for a token, waiting up to `ms` for it; undefined if none came. */
  wait(token: string, ms: number, signal?: AbortSignal): Promise<RemoteDecision | undefined> {
    const known = this.decided.get(token);
    if (known !== undefined || ms <= 0) return Promise.resolve(known);
    return new Promise((resolve) => {
      let set = this.waiters.get(token);
      if (set === undefined) {
        set = new Set();
        this.waiters.set(token, set);
      }
      const done = (decision: RemoteDecision | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        set!.delete(done);
        if (set!.size === 0 && this.waiters.get(token) === set) this.waiters.delete(token);
        resolve(decision);
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(() => done(undefined), ms);
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(done);
    });
  }
}

/**
 * The registry entry for a question an agent elsewhere asked: replies pass the same
 * checks (token, deadline, allowed decisions) as in its own process, and how the
 * question was settled goes to `decided`.
 */
export function pendingFor(request: ReplyRequest, decided: (decision: RemoteDecision) => void): PendingReply {
  const base = {
    sessionId: request.sessionId,
    issuedAt: request.issuedAt,
    timeoutSeconds: request.timeoutSeconds,
    settle: (reply: ReceivedReply) => decided({ reply }),
    cancel: () => decided({ cancelled: true }),
    expire: () => decided({ expired: true }),
  };
  return request.kind === 'confirmation'
    ? { ...base, kind: 'confirmation', allowedDecisions: new Set(request.allowedDecisions) }
    : { ...base, kind: 'clarification', acceptedKinds: new Set(request.acceptedKinds), choices: new Set(request.choices) };
}
