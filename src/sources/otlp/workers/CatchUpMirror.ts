import type { CatchUpSession } from '../../../hub/CatchUp.js';
import type { AaepEvent } from '../../../protocol/index.js';
import { catchUpEvents, sessionsToCatchUp, type SessionSnapshot } from '../../../translate/CatchUpSnapshot.js';
import { PHRASES, type EventPhrases } from '../../../translate/messages/EventPhrases.js';
import type { PendingQuestion } from '../../../translate/SessionState.js';
import type { SnapshotMessage } from './TranslationProtocol.js';

interface Mirrored {
  readonly shard: number;
  snapshot: SessionSnapshot;
  /** The snapshot's, as `sessionsToCatchUp` reads them. */
  readonly questions: SessionSnapshot['questions'];
}

/**
 * Where each open session of the translation workers stands, kept on the
 * thread that serves the streams, so a late subscriber's catch-up is taken at
 * the same instant as its place in the stream, as with one translator. A
 * worker sends a session's snapshot with the events that changed it, and
 * `gone` when it closes; the mirror holds at most what the workers hold open.
 */
export class CatchUpMirror {
  private readonly sessions = new Map<string, Mirrored>();
  private readonly asking = new Set<Mirrored>();

  constructor(
    /** Told when a catch-up re-sent a session's questions stamped `time`, so its worker stamps later events no earlier. */
    private readonly onRestamp: (shard: number, sessionId: string, time: number) => void,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  update(shard: number, message: SnapshotMessage): void {
    const snapshot = withPhrases(message);
    let entry = this.sessions.get(snapshot.sessionId);
    if (entry === undefined) {
      entry = {
        shard,
        snapshot,
        get questions() {
          return this.snapshot.questions;
        },
      };
      this.sessions.set(snapshot.sessionId, entry);
    } else entry.snapshot = snapshot;
    if (snapshot.questions.length > 0) this.asking.add(entry);
    else this.asking.delete(entry);
  }

  forget(sessionId: string): void {
    const entry = this.sessions.get(sessionId);
    if (entry === undefined) return;
    this.sessions.delete(sessionId);
    this.asking.delete(entry);
  }

  /** Forgets every session of a worker that is gone. */
  forgetShard(shard: number): void {
    for (const [sessionId, entry] of this.sessions) if (entry.shard === shard) this.forget(sessionId);
  }

  /** As `Translator.catchUp`, over every worker's sessions. */
  catchUp(sessionFilter: string | undefined, maxSessions: number, now = Date.now(), hears?: (owner: string | undefined) => boolean): CatchUpSession[] {
    const heard = (entry: Mirrored) => hears === undefined || hears(entry.snapshot.owner);
    let chosen: Mirrored[];
    if (sessionFilter !== undefined) {
      const entry = this.sessions.get(sessionFilter);
      chosen = entry !== undefined && heard(entry) ? [entry] : [];
    } else {
      const heardOf = (entries: Iterable<Mirrored>) => (hears === undefined ? entries : [...entries].filter(heard));
      chosen = sessionsToCatchUp(heardOf(this.asking), heardOf(this.sessions.values()), maxSessions, now);
    }
    return chosen.map((entry) => {
      const { events, stampedAt } = catchUpEvents(entry.snapshot, now);
      if (stampedAt > entry.snapshot.lastTime) {
        entry.snapshot = { ...entry.snapshot, lastTime: stampedAt };
        this.onRestamp(entry.shard, entry.snapshot.sessionId, stampedAt);
      }
      return { sessionId: entry.snapshot.sessionId, events };
    });
  }
}

/** The snapshot with its events' phrases back under PHRASES, so a catch-up can be said in each subscriber's language. */
function withPhrases({ snapshot, phrases, questionPhrases }: SnapshotMessage): SessionSnapshot {
  const attach = <T extends AaepEvent>(event: T, said: EventPhrases | undefined): T => (said === undefined ? event : Object.assign(event, { [PHRASES]: said }));
  return {
    ...snapshot,
    events: snapshot.events.map((event, i) => attach(event, phrases[i])),
    questions: snapshot.questions.map((question, i): PendingQuestion => ({ ...question, event: attach(question.event, questionPhrases[i]) })),
  };
}
