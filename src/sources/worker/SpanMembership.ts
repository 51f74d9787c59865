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
}

const RECENTLY_ENDED = 4096;

/**
 * Which spans belong to a session, decided on the agent's thread while the
 * translator runs in a worker: the same rule as the translator's (a span under a
 * session span is part of it; a recognised span with none anchors a session of its
 * own) and the same bounds, so the worker is sent exactly the spans it would follow,
 * and `confirm()` finds a span's session without asking the worker.
 */
export class SpanMembership {
  private readonly members = new Map<string, Member>();
  /** Spans that ended recently, so a child that starts after its parent ended still joins. */
  private readonly ended = new Map<string, Member>();
  private readonly endedOrder: string[] = [];
  private endedNext = 0;
  private openSessions = 0;

  constructor(
    private readonly maxSessions: number,
    private readonly maxSpansPerSession: number,
  ) {}

  /** The session a span starting now joins or opens; undefined when it is not followed. */
  join(traceId: string, spanId: string, parentSpanId: string | undefined, attributes: Attributes, span: Span | undefined): SessionMember | undefined {
    if (this.members.has(spanId)) return undefined;
    const parent = parentSpanId === undefined ? undefined : (this.find(this.members, traceId, parentSpanId) ?? this.find(this.ended, traceId, parentSpanId));
    let session: SessionMember;
    if (parent !== undefined) {
      if (!parent.session.open || parent.session.spans >= this.maxSpansPerSession) return undefined;
      session = parent.session;
    } else {
      if (classifySpan(attributes) === undefined || this.openSessions >= this.maxSessions) return undefined;
      session = { sessionId: sessionIdFor(traceId, spanId), rootSpanId: spanId, root: span, open: true, spans: 0 };
      this.openSessions++;
    }
    session.spans++;
    this.members.set(spanId, { traceId, session });
    return session;
  }

  /** The open session of a followed span. */
  sessionOf(traceId: string, spanId: string): SessionMember | undefined {
    const session = (this.find(this.members, traceId, spanId) ?? this.find(this.ended, traceId, spanId))?.session;
    return session?.open === true ? session : undefined;
  }

  /** Whether a span is followed and has not ended. */
  follows(traceId: string, spanId: string): boolean {
    return this.find(this.members, traceId, spanId) !== undefined;
  }

  /** A followed span ended: its session closes with its root. */
  leave(traceId: string, spanId: string): void {
    const member = this.find(this.members, traceId, spanId);
    if (member === undefined) return;
    this.members.delete(spanId);
    member.session.spans--;
    if (member.session.rootSpanId === spanId && member.session.open) {
      member.session.open = false;
      this.openSessions--;
    }
    const evicted = this.endedOrder[this.endedNext];
    if (evicted !== undefined) this.ended.delete(evicted);
    this.endedOrder[this.endedNext] = spanId;
    this.endedNext = (this.endedNext + 1) % RECENTLY_ENDED;
    this.ended.set(spanId, member);
  }

  private find(map: Map<string, Member>, traceId: string, spanId: string): Member | undefined {
    const member = map.get(spanId);
    return member !== undefined && member.traceId === traceId ? member : undefined;
  }
}
