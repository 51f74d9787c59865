import type { Span } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '../../records.js';
import { classifySpan } from '../../semconv/classifySpan.js';
import { sessionIdFor } from '../../translate/ids.js';

/** A session as the agent's thread knows it: enough for `confirm()` and for choosing which spans to send. */
export interface SessionMember {
  readonly sessionId: string;
  readonly rootSpanId: string;
  readonly root: Span | undefined;
  open: boolean;
  spans: number;
}

interface Member {
  readonly traceId: string;
  readonly session: SessionMember;
  /** The number the span's records carry instead of its ids (never 0). */
  readonly handle: number;
}

const RECENTLY_ENDED = 4096;
const MAX_HANDLE = 0xffffffff;

/**
 * Which spans belong to a session, decided on the agent's thread while the
 * translator runs in a worker: the same rule as the translator's (a span under a
 * session span is part of it; a recognised span with none anchors a session of its
 * own) and the same bounds, so the worker is sent exactly the spans it would follow,
 * and `confirm()` finds a span's session without asking the worker.
 */
export class SpanMembership {
  private readonly members = new Map<string, Member>();
  /**
   * Spans that ended recently, so a child that starts after its parent ended still joins:
   * two generations of at most RECENTLY_ENDED each, the older dropped whole (no deletes).
   */
  private ended = new Map<string, Member>();
  private endedBefore = new Map<string, Member>();
  private openSessions = 0;
  private lastHandle = 0;

  constructor(
    private readonly maxSessions: number,
    private readonly maxSpansPerSession: number,
  ) {}

  /** A span starting now joins or opens a session: its handle, or 0 when it is not followed. */
  join(traceId: string, spanId: string, parentSpanId: string | undefined, attributes: Attributes, span: Span | undefined): number {
    if (this.members.has(spanId)) return 0;
    const parent = parentSpanId === undefined ? undefined : (this.find(this.members, traceId, parentSpanId) ?? this.endedMember(traceId, parentSpanId));
    let session: SessionMember;
    if (parent !== undefined) {
      if (!parent.session.open || parent.session.spans >= this.maxSpansPerSession) return 0;
      session = parent.session;
    } else {
      if (classifySpan(attributes) === undefined || this.openSessions >= this.maxSessions) return 0;
      session = { sessionId: sessionIdFor(traceId, spanId), rootSpanId: spanId, root: span, open: true, spans: 0 };
      this.openSessions++;
    }
    session.spans++;
    this.lastHandle = this.lastHandle === MAX_HANDLE ? 1 : this.lastHandle + 1;
    this.members.set(spanId, { traceId, session, handle: this.lastHandle });
    return this.lastHandle;
  }

  /** The open session of a followed span. */
  sessionOf(traceId: string, spanId: string): SessionMember | undefined {
    const session = (this.find(this.members, traceId, spanId) ?? this.endedMember(traceId, spanId))?.session;
    return session?.open === true ? session : undefined;
  }

  /** The handle of a followed span that has not ended, else 0. */
  handleOf(traceId: string, spanId: string): number {
    return this.find(this.members, traceId, spanId)?.handle ?? 0;
  }

  /** A span ended: its handle (0 if it was not followed); a session closes with its root. */
  leave(traceId: string, spanId: string): number {
    const member = this.find(this.members, traceId, spanId);
    if (member === undefined) return 0;
    this.members.delete(spanId);
    member.session.spans--;
    if (member.session.rootSpanId === spanId && member.session.open) {
      member.session.open = false;
      this.openSessions--;
    }
    if (this.ended.size >= RECENTLY_ENDED) {
      this.endedBefore = this.ended;
      this.ended = new Map();
    }
    this.ended.set(spanId, member);
    return member.handle;
  }

  private endedMember(traceId: string, spanId: string): Member | undefined {
    return this.find(this.ended, traceId, spanId) ?? this.find(this.endedBefore, traceId, spanId);
  }

  private find(map: Map<string, Member>, traceId: string, spanId: string): Member | undefined {
    const member = map.get(spanId);
    return member !== undefined && member.traceId === traceId ? member : undefined;
  }
}
