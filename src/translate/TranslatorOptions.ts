import type { Tally } from '../Tally.js';
import type { AaepEvent, Producer } from '../protocol/index.js';
import type { LimitReached } from '../limits.js';

export interface TranslatorOptions {
  readonly producer: Producer;
  /** Receives every event, in a legal order per session, with the principal its session belongs to. Must not throw. */
  readonly emit: (event: AaepEvent, owner: string | undefined) => void;
  /** BCP 47 tag of the summaries this translator writes. */
  readonly language?: string;
  /** Told when the agent breaks a safety rule the translator enforces. */
  readonly onViolation?: (message: string) => void;
  /** Told once a session's terminal event is out, so its reply tokens can be freed. */
  readonly onSessionClosed?: (sessionId: string) => void;
  /**
   * Told when a confirmation or clarification is announced, so a process that did
   * not issue the token itself (the receiver) can accept replies for it.
   */
  readonly onReplyRequested?: (request: ReplyRequest) => void;
  /** Sessions open at once; a session beyond it is not translated. Else `AAEP_MAX_SESSIONS`, else 10,000. */
  readonly maxSessions?: number;
  /** Counts the open sessions against `maxSessions`; translators in several threads share one. Default: a count of its own. */
  readonly openSessions?: Tally;
  /** Open spans followed per session; a span beyond it is not translated. Else `AAEP_MAX_SPANS_PER_SESSION`, else 1,000. */
  readonly maxSpansPerSession?: number;
  /** Told once per episode of the session bound and once per session at its span bound. Must not throw. */
  readonly onLimit?: (reached: LimitReached) => void;
}

/** A question on the stream that replies may answer, as the reply registry needs it. */
export type ReplyRequest =
  | {
      readonly kind: 'confirmation';
      readonly token: string;
      readonly sessionId: string;
      readonly issuedAt: number;
      readonly timeoutSeconds: number;
      readonly allowedDecisions: readonly string[];
    }
  | {
      readonly kind: 'clarification';
      readonly token: string;
      readonly sessionId: string;
      readonly issuedAt: number;
      readonly timeoutSeconds: number;
      readonly acceptedKinds: ReadonlyArray<'freetext' | 'yes_no' | 'multiple_choice' | 'numeric'>;
      readonly choices: readonly string[];
    };
