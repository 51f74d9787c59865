import { LimitEpisode, resolveLimit, type LimitReached, type StoreUsage } from '../limits.js';
import type { ReceivedReply } from '../protocol/index.js';

export type ResponseKind = 'freetext' | 'yes_no' | 'multiple_choice' | 'numeric';

interface PendingBase {
  readonly sessionId: string;
  /** When the originating event was emitted, in ms since the epoch. */
  readonly issuedAt: number;
  readonly timeoutSeconds: number;
  /** Called once, with the first valid reply. */
  settle(reply: ReceivedReply): void;
  /** Called once if the session ends or is cancelled first. */
  cancel(): void;
  /** Called once if the question must take its default now, as at its deadline (spec §5.8.2, §5.3.1.4). */
  expire(): void;
}

export interface PendingConfirmation extends PendingBase {
  readonly kind: 'confirmation';
  readonly allowedDecisions: ReadonlySet<string>;
}

export interface PendingClarification extends PendingBase {
  readonly kind: 'clarification';
  readonly acceptedKinds: ReadonlySet<ResponseKind>;
  /** Values a multiple-choice answer may take. */
  readonly choices: ReadonlySet<string>;
}

export type PendingReply = PendingConfirmation | PendingClarification;

export interface ReplyRegistryOptions {
  /** Tokens outstanding at once; beyond it, expired ones are dropped, then new ones refused. Else `AAEP_MAX_PENDING_REPLIES`, else 10,000. */
  readonly maxPending?: number;
  /** Told once per episode of the bound. Must not throw. */
  readonly onLimit?: (reached: LimitReached) => void;
}

/**
 * Outstanding reply tokens and the rules a reply must pass (spec §6.3.4, §6.5.5):
 * a known, unused token of a live session, not expired by the originating event's
 * time plus its timeout, with an allowed decision or a response of an accepted
 * kind. The first valid reply wins; everything else is ignored without saying why.
 * Tokens are freed when answered, withdrawn or their session ends; at the bound,
 * expired ones go first and then new tokens are refused (their question's default
 * decision applies, as when nobody answers).
 */
export class ReplyRegistry {
  private readonly pending = new Map<string, PendingReply>();
  private readonly bySession = new Map<string, Set<string>>();
  private readonly maxPending: number;
  private readonly bound: LimitEpisode;

  constructor(options: ReplyRegistryOptions = {}) {
    this.maxPending = resolveLimit('pendingReplies', options.maxPending);
    const onLimit = options.onLimit ?? (() => {});
    this.bound = new LimitEpisode(() =>
      onLimit({
        limit: 'pendingReplies',
        bound: this.maxPending,
        message: `${this.maxPending} reply tokens are outstanding, the limit (AAEP_MAX_PENDING_REPLIES); new questions cannot be answered and take their default.`,
      }),
    );
  }

  /** Outstanding tokens. */
  get size(): number {
    return this.pending.size;
  }

  /** Outstanding tokens, against their bound. */
  get usage(): StoreUsage {
    return { size: this.pending.size, limit: this.maxPending };
  }

  /** Whether a token is outstanding. */
  has(token: string): boolean {
    return this.pending.has(token);
  }

  /** Registers a token; call before publishing the event that carries it. False when refused at the bound. */
  register(token: string, pending: PendingReply, now = Date.now()): boolean {
    if (this.pending.size >= this.maxPending && !this.pending.has(token)) {
      this.dropExpired(now);
      if (this.pending.size >= this.maxPending) {
        this.bound.refused();
        return false;
      }
    }
    this.pending.set(token, pending);
    let tokens = this.bySession.get(pending.sessionId);
    if (tokens === undefined) {
      tokens = new Set();
      this.bySession.set(pending.sessionId, tokens);
    }
    tokens.add(token);
    return true;
  }

  /** Forgets tokens past their deadline: no reply can be honoured for them any more. */
  private dropExpired(now: number): void {
    for (const [token, pending] of this.pending) if (now >= pending.issuedAt + pending.timeoutSeconds * 1000) this.withdraw(token);
  }

  /** Applies a reply if it passes every check; returns whether it was honoured. */
  submit(reply: ReceivedReply, now = Date.now()): boolean {
    const pending = this.pending.get(reply.reply_token);
    if (pending === undefined) return false;
    const deadline = pending.issuedAt + pending.timeoutSeconds * 1000;
    const decidedAt = Date.parse(reply.timestamp);
    if (!(decidedAt < deadline) || now >= deadline) return false;
    if (reply.type === 'confirmation.reply') {
      if (pending.kind !== 'confirmation' || !acceptsDecision(pending, reply)) return false;
    } else if (pending.kind !== 'clarification' || !acceptsResponse(pending, reply)) {
      return false;
    }
    this.withdraw(reply.reply_token);
    pending.settle(reply);
    return true;
  }

  /**
   * As `submit`, resolving once the outcome is settled where every instance sees it (with a
   * shared hub: claimed in Redis). In one process that is at once.
   */
  submitSettled(reply: ReceivedReply, now = Date.now()): Promise<boolean> {
    return Promise.resolve(this.submit(reply, now));
  }

  /** The token is no longer answerable (settled by timeout or abort). */
  withdraw(token: string): void {
    const pending = this.pending.get(token);
    if (pending === undefined) return;
    this.pending.delete(token);
    const tokens = this.bySession.get(pending.sessionId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.bySession.delete(pending.sessionId);
    this.bound.observe(this.pending.size, this.maxPending);
  }

  /** Cancels one outstanding token (its question was withdrawn elsewhere). */
  cancel(token: string): void {
    const pending = this.pending.get(token);
    if (pending === undefined) return;
    this.withdraw(token);
    pending.cancel();
  }

  /** Settles one outstanding token as at its deadline: its question takes its default. */
  expire(token: string): void {
    const pending = this.pending.get(token);
    if (pending === undefined) return;
    this.withdraw(token);
    pending.expire();
  }

  /** Sessions with a confirmation outstanding. */
  sessionsConfirming(): string[] {
    return [...this.bySession].filter(([, tokens]) => [...tokens].some((t) => this.pending.get(t)?.kind === 'confirmation')).map(([id]) => id);
  }

  /** Settles a session's outstanding confirmations as at their deadline; returns how many. */
  expireConfirmations(sessionId: string): number {
    const tokens = [...(this.bySession.get(sessionId) ?? [])].filter((token) => this.pending.get(token)?.kind === 'confirmation');
    for (const token of tokens) this.expire(token);
    return tokens.length;
  }

  /** Cancels every outstanding token of a session (it was cancelled, or it ended). */
  cancelSession(sessionId: string): number {
    const tokens = this.bySession.get(sessionId);
    if (tokens === undefined) return 0;
    let count = 0;
    for (const token of [...tokens]) {
      const pending = this.pending.get(token);
      this.withdraw(token);
      if (pending !== undefined) {
        pending.cancel();
        count++;
      }
    }
    return count;
  }

  /** Cancels everything (shutdown). */
  cancelAll(): void {
    for (const sessionId of [...this.bySession.keys()]) this.cancelSession(sessionId);
  }
}

function acceptsDecision(pending: PendingConfirmation, reply: Extract<ReceivedReply, { type: 'confirmation.reply' }>): boolean {
  return pending.allowedDecisions.has(reply.decision);
}

function acceptsResponse(pending: PendingClarification, reply: Extract<ReceivedReply, { type: 'clarification.reply' }>): boolean {
  const response = reply.response;
  const kinds = pending.acceptedKinds;
  if (typeof response === 'boolean') return kinds.has('yes_no');
  if (typeof response === 'number') return kinds.has('numeric') && Number.isFinite(response);
  if (kinds.has('freetext')) return true;
  return kinds.has('multiple_choice') && pending.choices.has(response);
}
