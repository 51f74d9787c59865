import { diag, type Span } from '@opentelemetry/api';
import { AAEP_SESSION_CANCELLED_BY, AAEP_SESSION_CANCEL_REASON } from '../semconv/attributes.js';
import { findRuntime } from './runtime.js';

export interface CancelOptions {
  readonly by: 'user' | 'producer' | 'timeout' | 'system';
  /** A reason code such as "user_pressed_escape". */
  readonly reason?: string;
}

/**
 * Cancels the session `span` belongs to: every confirmation or clarification it is
 * waiting for settles at once as cancelled (never as accepted), and when the
 * session span ends it is announced as `agent.session.cancelled`. Ending the spans
 * is still the agent's job. Returns how many waits were cancelled.
 */
export function cancelSession(span: Span, options: CancelOptions): number {
  const found = findRuntime(span);
  if (found === undefined) {
    diag.warn('aaep-otel: cancelSession(): no AaepSpanProcessor follows this span.');
    return 0;
  }
  const root = found.session.root ?? span;
  root.setAttribute(AAEP_SESSION_CANCELLED_BY, options.by);
  if (options.reason !== undefined) root.setAttribute(AAEP_SESSION_CANCEL_REASON, options.reason);
  return found.runtime.replies.cancelSession(found.session.sessionId);
}
