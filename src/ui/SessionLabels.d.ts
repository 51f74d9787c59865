/** Types of SessionLabels.js, which the web page loads as plain JavaScript. */

/** Open sessions remembered at most; beyond it the oldest is forgotten (its end was probably missed). */
export declare const MAX_OPEN_SESSIONS: number;

/** The first few words of a request, trimmed, unsayable characters removed; "Task" when nothing is left. */
export declare function shortLabel(requestText: unknown): string;

/** An open session as the listener knows it. */
export interface OpenSession {
  readonly sessionId: string;
  /** Short and unique among the open sessions, e.g. "Generate a quarterly" or "Send an email 2". */
  readonly label: string;
  /** The state it last changed to (`working` until the first `state.changed`). */
  readonly state: string;
}

/**
 * Tracks the listener's open sessions from the event stream (opened by `session.started`,
 * closed by `session.completed`, `errored` or `cancelled`) with a short label for each.
 */
export declare class SessionLabels {
  /** Follows one event; its session's label while more than one session is open, else undefined. */
  observe(event: { readonly type: string; readonly session_id: string; readonly request_text?: unknown; readonly to_state?: unknown }): string | undefined;
  labelOf(sessionId: string): string | undefined;
  /** True while more than one session is open. */
  readonly several: boolean;
  /** Oldest first. */
  open(): OpenSession[];
}
