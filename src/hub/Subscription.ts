import type { CatchUp } from './CatchUp.js';
import type { PhraseLanguage } from '../translate/messages/catalog.js';
import type { QuestionKind } from './unanswerableQuestions.js';

/** A transport's side of a subscription (an SSE response, a test's socket reader, …). */
export interface SubscriberSink {
  /**
   * Writes bytes of one or more whole SSE frames (`event: aaep.event`, `id`, `data`).
   * Returns false when the transport's buffer is full; the hub then waits for
   * `Subscription.resume()`.
   */
  write(frames: Buffer): boolean;
  /** Ends the transport: the subscriber fell too far behind, or the hub is closing. */
  close(reason: 'overflow' | 'shutdown'): void;
  /** The language it hears our phrases in, when it negotiated one (spec §11.2); read at each delivery. */
  readonly phraseLanguage?: PhraseLanguage | undefined;
  /** False when it declared it cannot answer this kind of question (spec §5.3.1.4–5); otherwise it may. */
  answers?(kind: QuestionKind): boolean | undefined;
}

export interface SubscribeOptions {
  /** Only events of this session. */
  readonly sessionId?: string | undefined;
  /** Resume after this event (SSE `Last-Event-ID`); without it, or when it aged out, a catch-up comes first. */
  readonly lastEventId?: string | undefined;
  /** Whose sessions it hears; without it, everyone's (the operator). */
  readonly audience?: Audience | undefined;
}

/** A listener that is one principal: it hears that principal's sessions, and unowned ones only if `hearsUnowned`. */
export interface Audience {
  readonly principal: string;
  readonly hearsUnowned: boolean;
}

/** What a subscription needs of its hub. */
export interface SubscriptionHost {
  /** Order the next published event will have. */
  readonly nextOrder: number;
  deliver(subscription: Subscription): void;
  remove(subscription: Subscription): void;
}

/** A subscriber's place in the hub: a cursor into the hub's log. */
export class Subscription {
  /** @internal Order of the next event to send. */
  cursor: number;
  /** @internal */ writable = true;
  /** @internal */ closed = false;
  /** @internal Where open sessions stood when it joined, sent before the log. */
  catchUp: CatchUp | undefined;
  private drainWaiters: Array<() => void> = [];

  /** @internal */
  constructor(
    private readonly hub: SubscriptionHost,
    /** @internal */ readonly sink: SubscriberSink,
    /** @internal */ readonly sessionId: string | undefined,
    cursor: number,
    /** @internal */ readonly audience: Audience | undefined = undefined,
  ) {
    this.cursor = cursor;
  }

  /** @internal Whether it hears a session owned by `owner` (undefined: unowned). */
  hears(owner: string | undefined): boolean {
    const audience = this.audience;
    if (audience === undefined) return true;
    return owner === undefined ? audience.hearsUnowned : owner === audience.principal;
  }

  /** @internal Whether it hears an event of session `sessionId`, owned by `owner`: its session filter and its audience. */
  hearsEventOf(sessionId: string, owner: string | undefined): boolean {
    return (this.sessionId === undefined || this.sessionId === sessionId) && this.hears(owner);
  }

  /** The transport drained its buffer: send what accumulated meanwhile. */
  resume(): void {
    this.writable = true;
    this.hub.deliver(this);
  }

  /** The transport went away. */
  unsubscribe(): void {
    this.hub.remove(this);
  }

  /** @internal Resolves once the subscriber is caught up and writable, or gone. */
  drained(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** @internal */
  notifyIfDrained(): void {
    if (!this.idle()) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private idle(): boolean {
    return this.closed || (this.writable && this.catchUp === undefined && this.cursor >= this.hub.nextOrder);
  }
}
