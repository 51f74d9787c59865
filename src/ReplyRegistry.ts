import type { ReceivedReply } from './protocol/index.js';

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

/**
 * Outstanding reply tokens and the rules a reply must pass (spec §6.3.4, §6.5.5):
 * a known, unused token of a live session, not expired by the originating event's
 * time plus its timeout, with an allowed decision or a response of an accepted
 * kind. The first valid reply wins; everything else is ignored without saying why.
 * Tokens are freed when their session ends, so the registry stays bounded.
 */
export class ReplyRegistry {
  private readonly pending = new Map<string, PendingReply>();
  private readonly bySession = new Map<string, Set<string>>();

  /** Outstanding tokens. */
  get size(): number {
    return this.pending.size;
  }

  /** Whether a token is outstanding. */
  has(token: string): boolean {
    return this.pending.has(token);
  }

  /** Registers a token; call before publishing the event that carries it. */
  register(token: string, pending: PendingReply): void {
    this.pending.set(token, pending);
    let tokens = this.bySession.get(pending.sessionId);
    if (tokens === undefined) {
      tokens = new Set();
      this.bySession.set(pending.sessionId, tokens);
    }
    tokens.add(token);
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

  /** The token is no longer answerable (settled by timeout or abort). */
  withdraw(token: string): void {
    const pending = this.pending.get(token);
    if (pending === undefined) return;
    this.pending.delete(token);
    const tokens = this.bySession.get(pending.sessionId);
    tokens?.delete(token);
    if (tokens?.size === 0) this.bySession.delete(pending.sessionId);
  }

  /** Cancels one outstanding token (its question was withdrawn elsewhere). */
  cancel(token: string): void {
    const pending = this.pending.get(token);
    if (pending === undefined) return;
    this.withdraw(token);
    pending.cancel();
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
