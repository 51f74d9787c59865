import type { AaepEvent } from '../protocol/index.js';
import type { PhraseLanguage } from './messages/catalog.js';
import { sayFields } from './messages/EventPhrases.js';
import { detailedFor } from './HumanInTheLoop.js';
import type { PendingQuestion, SessionState } from './SessionState.js';

/**
 * Where one open session stands, as plain data: what a catch-up re-sends of it.
 * A translator in another thread sends these to the thread that serves the streams.
 */
export interface SessionSnapshot {
  readonly sessionId: string;
  /** The principal the session belongs to. */
  readonly owner: string | undefined;
  readonly phraseLanguage: PhraseLanguage;
  /** Its `session.started`, its last `state.changed` and the `tool.invoked` of calls still running. */
  readonly events: readonly AaepEvent[];
  /** Questions asked and not yet resolved. */
  readonly questions: readonly PendingQuestion[];
  /** The time of its latest event (ms): re-sent events are never stamped before it. */
  readonly lastTime: number;
}

/**
 * Which sessions a catch-up without a session filter re-sends: those with an
 * open question first, soonest deadline first, then the newest (the last of
 * `sessions`); at most `maxSessions`. Touching only the sessions sent: visiting
 * 60,000 sessions' state alone takes tens of ms.
 */
export function sessionsToCatchUp<S extends { readonly questions: readonly { readonly deadline: number }[] }>(
  asking: Iterable<S>,
  /** Oldest first. */
  sessions: Iterable<S>,
  maxSessions: number,
  now: number,
): S[] {
  const soonest = (session: S) => Math.min(...session.questions.map((question) => question.deadline));
  const chosen = [...asking].filter((session) => soonest(session) - now >= 1000);
  chosen.sort((a, b) => soonest(a) - soonest(b));
  chosen.length = Math.min(chosen.length, maxSessions);
  const taken = new Set(chosen);
  const open = [...sessions];
  for (let i = open.length - 1; i >= 0 && chosen.length < maxSessions; i--) if (!taken.has(open[i]!)) chosen.push(open[i]!);
  return chosen;
}

/** A session's state as a snapshot, sharing its events (nothing is copied). */
export function snapshotOf(session: SessionState): SessionSnapshot {
  const events: AaepEvent[] = [];
  if (session.started !== undefined) events.push(session.started);
  if (session.lastState !== undefined) events.push(session.lastState);
  for (const info of session.open) if (info.tool?.invokedEvent !== undefined) events.push(info.tool.invokedEvent);
  return { sessionId: session.sessionId, owner: session.principal, phraseLanguage: session.phraseLanguage, events, questions: session.questions, lastTime: session.lastTime };
}

/**
 * What a late subscriber is re-sent of a session, in sequence order: the
 * snapshot's events, and its questions still open with `timeout_seconds` the
 * time left and `timestamp` now, so their sum is still the deadline. `stampedAt`
 * is the time those re-sent questions carry: later events of the session must
 * not be stamped before it (timestamps never go backwards).
 */
export function catchUpEvents(snapshot: SessionSnapshot, now: number): { events: AaepEvent[]; stampedAt: number } {
  const events = [...snapshot.events];
  let stampedAt = snapshot.lastTime;
  const asked = snapshot.questions.filter((question) => question.deadline - now >= 1000);
  if (asked.length > 0) {
    stampedAt = Math.max(stampedAt, now);
    const stamp = new Date(stampedAt).toISOString();
    for (const question of asked) {
      const secondsLeft = Math.floor((question.deadline - stampedAt) / 1000);
      if (secondsLeft < 1) continue;
      events.push(sayFields({ ...question.event, timestamp: stamp, timeout_seconds: secondsLeft, summary_detailed: detailedFor(question.deadlinePhrase, secondsLeft) }, snapshot.phraseLanguage) as AaepEvent);
    }
  }
  events.sort((a, b) => (a.sequence_number ?? 0) - (b.sequence_number ?? 0));
  // A re-sent question is stamped now: what follows it in the catch-up is too.
  let latest = '';
  return {
    stampedAt,
    events: events.map((event) => {
      if (event.timestamp >= latest) {
        latest = event.timestamp;
        return event;
      }
      return { ...event, timestamp: latest };
    }),
  };
}

/** Where one session stands, as events it already emitted (see `catchUpEvents`); later events are stamped no earlier. */
export function catchUpSnapshot(session: SessionState, now: number): AaepEvent[] {
  const { events, stampedAt } = catchUpEvents(snapshotOf(session), now);
  session.lastTime = stampedAt;
  return events;
}
