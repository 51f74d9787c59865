import type { AaepEvent } from '../protocol/index.js';
import { sayFields } from './messages/EventPhrases.js';
import type { SessionState } from './SessionState.js';

/**
 * Which sessions a catch-up without a session filter re-sends: those with an
 * open question first, soonest deadline first, then the newest; at most
 * `maxSessions`. Touching only the sessions sent: visiting 60,000 sessions' state
 * alone takes tens of ms.
 */
export function sessionsToCatchUp(
  asking: ReadonlySet<SessionState>,
  sessions: ReadonlySet<SessionState>,
  maxSessions: number,
  now: number,
): SessionState[] {
  const soonest = (session: SessionState) => Math.min(...session.questions.map((question) => question.deadline));
  const chosen = [...asking].filter((session) => soonest(session) - now >= 1000);
  chosen.sort((a, b) => soonest(a) - soonest(b));
  chosen.length = Math.min(chosen.length, maxSessions);
  const taken = new Set(chosen);
  const open = [...sessions];
  for (let i = open.length - 1; i >= 0 && chosen.length < maxSessions; i--) if (!taken.has(open[i]!)) chosen.push(open[i]!);
  return chosen;
}

/**
 * Where one session stands, as events it already emitted, in sequence order: its
 * `session.started`, its last `state.changed`, the tool calls still running, and
 * the questions still open, with `timeout_seconds` the time left and `timestamp`
 * now, so their sum is still the deadline.
 */
export function catchUpSnapshot(session: SessionState, now: number): AaepEvent[] {
  const events: AaepEvent[] = [];
  if (session.started !== undefined) events.push(session.started);
  if (session.lastState !== undefined) events.push(session.lastState);
  for (const info of session.open) if (info.tool?.invokedEvent !== undefined) events.push(info.tool.invokedEvent);
  const asked = session.questions.filter((question) => question.deadline - now >= 1000);
  if (asked.length > 0) {
    // Later events of the session must not be stamped before this re-send (timestamps never go backwards).
    session.lastTime = Math.max(session.lastTime, now);
    const stamp = new Date(session.lastTime).toISOString();
    for (const question of asked) {
      const secondsLeft = Math.floor((question.deadline - session.lastTime) / 1000);
      if (secondsLeft < 1) continue;
      events.push(sayFields({ ...question.event, timestamp: stamp, timeout_seconds: secondsLeft, summary_detailed: question.detailed(secondsLeft) }, session.phraseLanguage) as AaepEvent);
    }
  }
  events.sort((a, b) => (a.sequence_number ?? 0) - (b.sequence_number ?? 0));
  // A re-sent question is stamped now: what follows it in the catch-up is too.
  let latest = '';
  return events.map((event) => {
    if (event.timestamp >= latest) {
      latest = event.timestamp;
      return event;
    }
    return { ...event, timestamp: latest };
  });
}
