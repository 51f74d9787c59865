import type { ReplyRegistry } from '../agent/ReplyRegistry.js';
import type { SessionOwners } from './SessionOwners.js';
import type { Subscription } from './Subscription.js';

export type QuestionKind = 'confirmation' | 'clarification';

/** A question just put on the stream, to check whether anyone listening can answer it. */
export interface AskedQuestion {
  readonly kind: QuestionKind;
  readonly token: string;
  readonly sessionId: string;
  readonly owner: string | undefined;
}

function canAnswer(subscription: Subscription, kind: QuestionKind, sessionId: string, owner: string | undefined): boolean {
  return !subscription.closed && subscription.sink.answers?.(kind) !== false && subscription.hearsEventOf(sessionId, owner);
}

/**
 * Spec §5.8.2: a subscription that could answer closed (`subscription.close`) while a
 * confirmation it heard was waiting; when no other open subscriber here can answer it, the
 * confirmation takes its default decision now, as at its deadline. A subscriber that only
 * dropped its connection is not closing: it may reconnect and answer.
 */
export function expireOnClose(closing: Subscription, open: Iterable<Subscription>, replies: ReplyRegistry, owners: SessionOwners): number {
  if (closing.sink.answers?.('confirmation') === false) return 0;
  const others = [...open].filter((subscription) => subscription !== closing);
  let expired = 0;
  for (const sessionId of replies.sessionsConfirming()) {
    const owner = owners.ownerOf(sessionId);
    if (!closing.hearsEventOf(sessionId, owner)) continue;
    if (!others.some((subscription) => canAnswer(subscription, 'confirmation', sessionId, owner))) expired += replies.expireConfirmations(sessionId);
  }
  return expired;
}

/**
 * Spec §5.3.1.4–5: a question that every open subscriber hearing its session declared it
 * cannot answer takes its default at once. With nobody listening it waits as usual, for a
 * listener who arrives in time.
 */
export function expireUnanswerable(asked: readonly AskedQuestion[], open: Iterable<Subscription>, replies: ReplyRegistry): void {
  const listening = [...open];
  for (const question of asked) {
    const hearing = listening.filter((subscription) => !subscription.closed && subscription.hearsEventOf(question.sessionId, question.owner));
    if (hearing.length > 0 && hearing.every((subscription) => subscription.sink.answers?.(question.kind) === false)) replies.expire(question.token);
  }
}
