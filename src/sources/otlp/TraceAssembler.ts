import { Tally } from '../../Tally.js';
import { LimitEpisode, resolveLimit, type LimitReached, type StoreUsage } from '../../limits.js';
import type { SpanEndedRecord, SpanRecord } from '../../records.js';
import { classifySpan } from '../../semconv/classifySpan.js';
import type { Translator } from '../../translate/index.js';
import type { OtlpRecords } from './recordsFromOtlp.js';

export interface TraceAssemblerOptions {
  /** A trace with spans still waiting for their parent is placed anyway after this quiet time. Default 5 s. */
  readonly quietMs?: number;
  /** Signal span ids remembered to drop an exporter's resent batch. Default 65,536. */
  readonly rememberedSignals?: number;
  /** Spans of one trace held for their parent; more are refused. Else `AAEP_MAX_HELD_SPANS_PER_TRACE`, else 10,000. */
  readonly maxHeldSpansPerTrace?: number;
  /** Spans held for their parent in all traces; more are refused. Else `AAEP_MAX_HELD_SPANS`, else 200,000. */
  readonly maxHeldSpans?: number;
  /** Counts the held spans against `maxHeldSpans`; assemblers in several threads share one. Default: a count of its own. */
  readonly heldSpans?: Tally;
  /** Told once per trace refused at its bound and once per episode of the total bound. Must not throw. */
  readonly onLimit?: (reached: LimitReached) => void;
}

/** What an export brought that was refused at a bound, for its `partial_success`. */
export interface IngestResult {
  readonly refused: number;
  /** Why, one per bound reached: the spans it refused and the bound. */
  readonly reasons: readonly Refusal[];
}

/** Spans refused at one bound; said "N span(s) refused: why" in `partial_success`. */
export interface Refusal {
  readonly spans: number;
  readonly why: string;
}

interface PendingTrace {
  readonly spans: Map<string, SpanEndedRecord>;
  lastArrival: number;
  /** Whether this trace's reaching its bound was reported. */
  reported: boolean;
}

const PHASE = { started: 0, event: 1, ended: 2 } as const;

/**
 * Puts exported spans back in the order they lived before they reach the
 * translator. OTLP delivers a span only when it ends, children before parents
 * and a trace across several batches; a span is held until its parent is known
 * (or it is a root or a session span), then the held subtree is replayed as
 * started / event / ended records sorted by time — the order an in-process
 * processor saw — so both give the same events. Start signals pass straight
 * through; a resent batch is recognised and dropped.
 */
export class TraceAssembler {
  private readonly quietMs: number;
  private readonly pending = new Map<string, PendingTrace>();
  private held = 0;
  /** Held spans against the total bound: this assembler's, or shared with assemblers in other threads. */
  private readonly heldTally: Tally;
  private readonly seenSignals = new Set<string>();
  private readonly signalOrder: string[] = [];
  private signalNext = 0;
  private readonly rememberedSignals: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxPerTrace: number;
  private readonly maxHeld: number;
  private readonly onLimit: (reached: LimitReached) => void;
  private readonly totalBound: LimitEpisode;

  constructor(
    private readonly translator: Translator,
    options: TraceAssemblerOptions = {},
  ) {
    this.quietMs = options.quietMs ?? 5_000;
    this.rememberedSignals = options.rememberedSignals ?? 65_536;
    this.maxPerTrace = resolveLimit('heldSpansPerTrace', options.maxHeldSpansPerTrace);
    this.maxHeld = resolveLimit('heldSpans', options.maxHeldSpans);
    this.heldTally = options.heldSpans ?? new Tally();
    this.onLimit = options.onLimit ?? (() => {});
    this.totalBound = new LimitEpisode(() =>
      this.onLimit({ limit: 'heldSpans', bound: this.maxHeld, message: totalMessage(this.maxHeld) }),
    );
  }

  /** Spans waiting for a parent. */
  get heldSpans(): number {
    return this.held;
  }

  /** Spans waiting for a parent, against the bounds in total and per trace. */
  get usage(): StoreUsage & { traces: number; perTrace: number } {
    return { size: this.held, limit: this.maxHeld, traces: this.pending.size, perTrace: this.maxPerTrace };
  }

  /**
   * Translates what can be placed and holds the rest. Spans that would take a
   * trace beyond its bound, or all traces beyond the total, are refused (the
   * newest first), as are spans the translator refuses (sessions beyond its bound).
   */
  ingest(batch: OtlpRecords, now = Date.now()): IngestResult {
    const refusedBefore = this.translator.refusedSpanCount;
    for (const { id, record } of batch.signals) {
      if (this.seenSignals.has(id)) continue;
      this.rememberSignal(id);
      this.translator.handle(record);
    }
    const added = new Map<string, SpanEndedRecord[]>();
    for (const span of batch.ended) {
      let trace = this.pending.get(span.traceId);
      if (trace === undefined) {
        trace = { spans: new Map(), lastArrival: now, reported: false };
        this.pending.set(span.traceId, trace);
      }
      if (!trace.spans.has(span.spanId)) {
        trace.spans.set(span.spanId, span);
        this.held++;
        this.heldTally.add(1);
        let spans = added.get(span.traceId);
        if (spans === undefined) added.set(span.traceId, (spans = []));
        spans.push(span);
      }
      trace.lastArrival = now;
    }
    for (const traceId of added.keys()) this.place(traceId, false);
    const { perTrace, total } = this.enforceBounds(added);
    this.totalBound.observe(this.heldTally.size, this.maxHeld);
    this.armTimer();
    const byTranslator = this.translator.refusedSpanCount - refusedBefore;
    const reasons: Refusal[] = [];
    if (perTrace > 0) reasons.push({ spans: perTrace, why: `their trace already holds ${this.maxPerTrace} spans waiting for a parent (AAEP_MAX_HELD_SPANS_PER_TRACE)` });
    if (total > 0) reasons.push({ spans: total, why: totalMessage(this.maxHeld) });
    if (byTranslator > 0) reasons.push({ spans: byTranslator, why: 'too many open sessions or spans (AAEP_MAX_SESSIONS, AAEP_MAX_SPANS_PER_SESSION)' });
    return { refused: perTrace + total + byTranslator, reasons };
  }

  /** Drops the spans this export added that are still held beyond a bound, newest first. */
  private enforceBounds(added: Map<string, SpanEndedRecord[]>): { perTrace: number; total: number } {
    let perTrace = 0;
    let total = 0;
    for (const [traceId, spans] of added) {
      const trace = this.pending.get(traceId);
      if (trace === undefined) continue;
      for (let i = spans.length - 1; i >= 0; i--) {
        const overTrace = trace.spans.size > this.maxPerTrace;
        if (!overTrace && this.heldTally.size <= this.maxHeld) break;
        if (!trace.spans.delete(spans[i]!.spanId)) continue;
        this.held--;
        this.heldTally.add(-1);
        if (overTrace) {
          perTrace++;
          if (!trace.reported) {
            trace.reported = true;
            this.onLimit({
              limit: 'heldSpansPerTrace',
              bound: this.maxPerTrace,
              traceId,
              message: `Trace ${traceId} holds ${this.maxPerTrace} spans waiting for a parent, the limit (AAEP_MAX_HELD_SPANS_PER_TRACE); its further spans are refused until it is placed.`,
            });
          }
        } else {
          total++;
          this.totalBound.refused();
        }
      }
      if (trace.spans.size === 0) this.pending.delete(traceId);
    }
    return { perTrace, total };
  }

  /** Places every held span of traces quiet for `quietMs`, parents or not. */
  flushQuiet(now = Date.now()): void {
    for (const [traceId, trace] of this.pending) if (now - trace.lastArrival >= this.quietMs) this.place(traceId, true);
  }

  /** Places everything held (shutdown). */
  flushAll(): void {
    for (const traceId of [...this.pending.keys()]) this.place(traceId, true);
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private armTimer(): void {
    if (this.timer !== undefined || this.pending.size === 0) return;
    this.timer = setInterval(() => {
      this.flushQuiet();
      if (this.pending.size === 0) this.close();
    }, Math.max(100, Math.min(1_000, this.quietMs / 2)));
    this.timer.unref();
  }

  private rememberSignal(id: string): void {
    const evicted = this.signalOrder[this.signalNext];
    if (evicted !== undefined) this.seenSignals.delete(evicted);
    this.signalOrder[this.signalNext] = id;
    this.signalNext = (this.signalNext + 1) % this.rememberedSignals;
    this.seenSignals.add(id);
  }

  private place(traceId: string, everything: boolean): void {
    const trace = this.pending.get(traceId);
    if (trace === undefined) return;
    const ready = new Map<string, boolean>();
    const placeable = (span: SpanEndedRecord, depth: number): boolean => {
      const known = ready.get(span.spanId);
      if (known !== undefined) return known;
      let ok: boolean;
      if (everything || span.parentSpanId === undefined || depth > 256) ok = true;
      else if (this.translator.knows(traceId, span.spanId) || this.translator.knows(traceId, span.parentSpanId)) ok = true;
      else if (classifySpan(span.attributes) === 'session') ok = true;
      else {
        const parent = trace.spans.get(span.parentSpanId);
        ok = parent !== undefined ? placeable(parent, depth + 1) : false;
      }
      ready.set(span.spanId, ok);
      return ok;
    };
    const chosen: SpanEndedRecord[] = [];
    for (const span of trace.spans.values()) if (placeable(span, 0)) chosen.push(span);
    if (chosen.length === 0) return;
    for (const span of chosen) trace.spans.delete(span.spanId);
    this.held -= chosen.length;
    this.heldTally.add(-chosen.length);
    if (trace.spans.size === 0) this.pending.delete(traceId);
    for (const record of this.replay(traceId, chosen)) this.translator.handle(record);
  }

  /**
   * The records of a set of finished spans, in the order their lives happened.
   * Timestamps alone cannot say: the SDK truncates a span's start to the
   * millisecond and measures its end from there, so a parent may appear to end
   * before its child, or a sibling to start before the previous one ended. So
   * the order is built from what must hold — a parent starts before its
   * children and ends after them, a span's events come between its start and end
   * in order — and, within that, by time, counting a start as late in its
   * millisecond as it could have been.
   */
  private replay(traceId: string, spans: SpanEndedRecord[]): SpanRecord[] {
    const nodes: ReplayNode[] = [];
    const startedOf = new Map<string, ReplayNode>();
    const endedOf = new Map<string, ReplayNode>();
    for (const span of spans) {
      const known = this.translator.isTracked(traceId, span.spanId);
      let previous: ReplayNode | undefined;
      if (!known) {
        // Spans the translator follows already (from a start signal) only end here.
        previous = node(nodes, span.startTime + START_SLACK_MS, PHASE.started, { ...span, kind: 'started' });
        startedOf.set(span.spanId, previous);
        for (const event of span.events) {
          const next = node(nodes, event.time, PHASE.event, event);
          link(previous, next);
          previous = next;
        }
      }
      const ended = node(nodes, span.endTime, PHASE.ended, known ? span : { ...span, events: [] });
      if (previous !== undefined) link(previous, ended);
      endedOf.set(span.spanId, ended);
    }
    for (const span of spans) {
      if (span.parentSpanId === undefined) continue;
      const parentStarted = startedOf.get(span.parentSpanId);
      const childStarted = startedOf.get(span.spanId);
      if (parentStarted !== undefined && childStarted !== undefined) link(parentStarted, childStarted);
      const parentEnded = endedOf.get(span.parentSpanId);
      if (parentEnded !== undefined) link(endedOf.get(span.spanId)!, parentEnded);
    }
    return topologicalByTime(nodes);
  }
}

function totalMessage(bound: number): string {
  return `the receiver holds ${bound} spans waiting for a parent, the limit (AAEP_MAX_HELD_SPANS)`;
}

/** A start is truncated to its millisecond; it may have happened up to this much later. */
const START_SLACK_MS = 0.999;

interface ReplayNode {
  readonly time: number;
  readonly phase: number;
  readonly seq: number;
  readonly record: SpanRecord;
  readonly next: ReplayNode[];
  waiting: number;
}

function node(nodes: ReplayNode[], time: number, phase: number, record: SpanRecord): ReplayNode {
  const created: ReplayNode = { time, phase, seq: nodes.length, record, next: [], waiting: 0 };
  nodes.push(created);
  return created;
}

function link(before: ReplayNode, after: ReplayNode): void {
  before.next.push(after);
  after.waiting++;
}

function earlier(a: ReplayNode, b: ReplayNode): boolean {
  return a.time !== b.time ? a.time < b.time : a.phase !== b.phase ? a.phase < b.phase : a.seq < b.seq;
}

/** Kahn's algorithm with a binary heap: every constraint holds, and otherwise time decides. */
function topologicalByTime(nodes: ReplayNode[]): SpanRecord[] {
  const heap: ReplayNode[] = [];
  const push = (item: ReplayNode) => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = (): ReplayNode => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  };
  for (const item of nodes) if (item.waiting === 0) push(item);
  const order: SpanRecord[] = [];
  while (heap.length > 0) {
    const item = pop();
    order.push(item.record);
    for (const after of item.next) if (--after.waiting === 0) push(after);
  }
  return order;
}
