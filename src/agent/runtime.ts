import type { Span } from '@opentelemetry/api';
import type { ReplyRegistry } from './ReplyRegistry.js';

/** Where a span stands, as the agent-side API needs to know it. */
export interface SpanSession {
  readonly sessionId: string;
  /** The session's root span, when it lives in this process. */
  readonly root: Span | undefined;
}

/**
 * What `confirm`, `clarify` and `cancelSession` need from whatever turns spans into
 * AAEP events: the session a span belongs to, and where replies arrive. The
 * in-process processor is one; a client of a remote receiver can be another, so
 * the call sites in agent code never change.
 */
export interface AaepRuntime {
  readonly replies: ReplyRegistry;
  sessionOf(span: Span): SpanSession | undefined;
}

const runtimes = new Set<AaepRuntime>();

export function registerRuntime(runtime: AaepRuntime): void {
  runtimes.add(runtime);
}

export function unregisterRuntime(runtime: AaepRuntime): void {
  runtimes.delete(runtime);
}

/** The runtime that follows this span, if any. */
export function findRuntime(span: Span): { runtime: AaepRuntime; session: SpanSession } | undefined {
  for (const runtime of runtimes) {
    const session = runtime.sessionOf(span);
    if (session !== undefined) return { runtime, session };
  }
  return undefined;
}
