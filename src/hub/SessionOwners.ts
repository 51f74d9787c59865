import type { SerializedEvent } from './SerializedEvent.js';

const TERMINAL = new Set(['aaep:agent.session.completed', 'aaep:agent.session.errored', 'aaep:agent.session.cancelled']);

interface Owned {
  readonly owner: string;
  readonly tokens: Set<string>;
}

/**
 * Who owns each open session, and which session each outstanding reply token
 * belongs to, folded from the events a hub carries (with the owner as metadata,
 * never in the JSON), so a reply can be checked against its session's owner on
 * any instance. Bounded: beyond `capacity` open owned sessions the oldest is
 * forgotten, and replies to it then count only from the operator.
 */
export class SessionOwners {
  private readonly sessions = new Map<string, Owned>();
  private readonly tokens = new Map<string, string>();

  constructor(private readonly capacity = 10_000) {}

  observe(event: Pick<SerializedEvent, 'type' | 'sessionId' | 'replyToken'>, owner: string | undefined): void {
    if (TERMINAL.has(event.type)) {
      const gone = this.sessions.get(event.sessionId);
      this.sessions.delete(event.sessionId);
      for (const token of gone?.tokens ?? []) this.tokens.delete(token);
      return;
    }
    if (owner === undefined) return;
    let session = this.sessions.get(event.sessionId);
    if (session === undefined) {
      session = { owner, tokens: new Set() };
      this.sessions.set(event.sessionId, session);
      if (this.sessions.size > this.capacity) {
        const [oldest, forgotten] = this.sessions.entries().next().value!;
        this.sessions.delete(oldest);
        for (const token of forgotten.tokens) this.tokens.delete(token);
      }
    }
    if (event.replyToken !== undefined) {
      session.tokens.add(event.replyToken);
      this.tokens.set(event.replyToken, event.sessionId);
    }
  }

  /** The owner of an open session; undefined for an unowned (or unknown) one. */
  ownerOf(sessionId: string): string | undefined {
    return this.sessions.get(sessionId)?.owner;
  }

  /** The owner of the session a reply token was issued in; undefined for an unowned (or unknown) one. */
  ownerOfReply(token: string): string | undefined {
    const session = this.tokens.get(token);
    return session === undefined ? undefined : this.sessions.get(session)?.owner;
  }
}
