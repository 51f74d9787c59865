import type { AaepEvent, Capabilities, SubscriptionAccepted, Verbosity } from '../protocol/index.js';
import type { AaepClientError } from './AaepClientError.js';
import type { WebSocketConstructor } from './negotiation.js';

export type SubscriptionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RetryOptions {
  /** Backoff ceiling after a drop; it doubles with each failed attempt in a row. Default 500 ms. */
  readonly initialMs?: number;
  /** Highest backoff ceiling. Default 30 s. */
  readonly maxMs?: number;
  /** Failed connection attempts in a row before giving up. Default: never give up. */
  readonly maxAttempts?: number;
}

export interface SubscribeOptions {
  /** Sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** Follow one session (sess_…) instead of all of them. */
  readonly sessionId?: string;
  /** The summary passed to `onEvent` as its text. Default normal. */
  readonly verbosity?: Verbosity;
  /** Resume after this event, e.g. one saved from `lastEventId` before a page reload. */
  readonly lastEventId?: string;
  /**
   * Each event once, in the producer's order, with the words to say for it. Events
   * are checked only for a string `type`, `event_id` and `session_id`: read the
   * other fields as the producer may have left them out. While more than one session
   * is open, `label` names the event's session (see `SessionLabels`); `text` stays
   * unlabelled, so `announce(event, verbosity, label)` gives the words with it.
   */
  readonly onEvent: (event: AaepEvent, text: string, label?: string) => void;
  /**
   * Every problem: a skipped event, a failed or dropped connection the client
   * retries (status `reconnecting`), and the one it stops on (status `closed`, and
   * `done` rejects with it).
   */
  readonly onError?: (error: AaepClientError) => void;
  readonly onStatus?: (status: SubscriptionStatus) => void;
  /** Aborting closes the subscription, like `close()`. */
  readonly signal?: AbortSignal;
  readonly retry?: RetryOptions;
  /** Silence this long (not even a keepalive comment) counts as a drop. Default 45 s, three server keepalives. */
  readonly idleTimeoutMs?: number;
  /** Replaces the global fetch, e.g. to add headers or go through a proxy. */
  readonly fetch?: typeof fetch;
  /**
   * Negotiate each connection (spec chapter 5) with these capabilities, e.g.
   * `{ max_events_per_second: 1 }` for a braille display; `languages` defaults to the
   * user's (see `userLanguages`). A rejection ends the subscription (`rejected`); a server
   * without the handshake keeps its default stream.
   */
  readonly capabilities?: Capabilities;
  /** `subscriber_id` of the request. Default "aaep-otel-client". */
  readonly subscriberId?: string;
  /** The producer's terms, after each negotiation. */
  readonly onNegotiated?: (accepted: SubscriptionAccepted) => void;
  /** `websocket`: one socket at /aaep/v1/ws (spec B.2) instead of SSE. Default sse. */
  readonly transport?: 'sse' | 'websocket';
  /** The WebSocket class to use; default the global one (browsers, Node 22). */
  readonly WebSocket?: WebSocketConstructor;
}

export interface AaepSubscription {
  close(): void;
  /** The id of the last event received: where the next connection resumes. */
  readonly lastEventId: string | undefined;
  /** Resolves when closed; rejects with an AaepClientError when the client gives up. */
  readonly done: Promise<void>;
}
