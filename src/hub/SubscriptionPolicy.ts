import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { readEnvNumber } from '../env.js';
import { splitEventFrames } from '../http/splitEventFrames.js';
import { sseFrame } from '../http/sseFrame.js';
import type { Capabilities } from '../protocol/index.js';

/** Where a negotiated subscription's events go: SSE frames of `aaep.event`. */
export interface PolicyOutput {
  /** False when the transport's buffer is full; the owner then calls `resume()` on drain. */
  write(frames: Buffer): boolean;
  /** The subscriber fell further behind than `maxHeld`: end the transport (it resumes by id). */
  overflow(): void;
}

export interface SubscriptionPolicyOptions {
  /** Coalesced items a subscription may hold back. Else `AAEP_SUBSCRIPTION_HELD_EVENTS`, else 1,000. */
  readonly maxHeld?: number;
}

export const DEFAULT_MAX_HELD = 1_000;

type Wire = Record<string, unknown> & { type: string; session_id: string; event_id: string; sequence_number?: number };

interface Held {
  event: Wire;
  /** The hub's bytes for this event, while it is unchanged. */
  frame: Buffer | undefined;
  /** Re-sent by a catch-up: framed without an SSE id, as the hub framed it (see CatchUp). */
  resent?: boolean;
}

const CRITICAL_TYPES = new Set([
  'aaep:agent.session.errored',
  'aaep:agent.awaiting.confirmation',
  'aaep:agent.awaiting.clarification',
  'aaep:agent.handoff.requested',
]);
const TERMINAL_TYPES = new Set(['aaep:agent.session.completed', 'aaep:agent.session.errored', 'aaep:agent.session.cancelled']);
const OUTPUT = 'aaep:agent.output.streaming';
const CONFIRMATION = 'aaep:agent.awaiting.confirmation';
const CLARIFICATION = 'aaep:agent.awaiting.clarification';
const STATE = 'aaep:agent.state.changed';
const PROGRESS = 'aaep:agent.progress.updated';
const MAX_CHUNK_CODE_POINTS = 16_384;
const DEFAULT_INCLUDE = ['aaep:agent.*'];

/** Critical events pass every filter and every budget (spec §5.5.4). */
export function isCritical(event: { type: string; urgency?: unknown }): boolean {
  return event.urgency === 'critical' || CRITICAL_TYPES.has(event.type);
}

function matches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * One negotiated subscription's delivery terms (spec §5.3, §5.6), applied to the frames the
 * hub serialised once: `event_filters`, a token bucket for `max_events_per_second` that
 * critical events bypass, and coalescing of what the bucket holds back, never dropping it:
 * the held chunks of one output merge into one chunk, a session's held state changes fold
 * into one from the state last delivered to the latest, and a progress update replaces
 * the held one. Tool and lifecycle events cannot be coalesced and wait their turn. A
 * session's held events go out before its next critical event, so the subscriber's
 * picture (state chain, outputs, tool calls) is complete when the question comes.
 *
 * Sequence numbers are the subscription's own: dense from the first event it sees of each
 * session, so the stream it receives keeps the spec's rule (§3.4.1, +1 per event) although
 * filtered and coalesced events are missing; `event_id` stays the hub's (a coalesced event
 * carries the id of the last event merged into it, so resuming after it loses nothing).
 * Events whose number is unchanged go out as the hub's bytes.
 */
export class SubscriptionPolicy {
  private capabilities: Capabilities;
  private readonly maxHeld: number;
  private tokens = 0;
  private refilledAt = 0;
  private readonly held: Held[] = [];
  /** Per session, the next sequence number this subscription delivers. */
  private readonly nextSequence = new Map<string, number>();
  /** Completion-only subscribers: each output's text so far. */
  private readonly partialOutputs = new Map<string, Wire>();
  /** The frame that ends a catch-up, held until what came before it has gone out. */
  private heldPosition: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private blocked = false;
  private disposed = false;

  constructor(
    capabilities: Capabilities,
    private readonly out: PolicyOutput,
    options: SubscriptionPolicyOptions = {},
  ) {
    this.capabilities = capabilities;
    this.maxHeld = Math.max(1, Math.floor(options.maxHeld ?? readEnvNumber('AAEP_SUBSCRIPTION_HELD_EVENTS') ?? DEFAULT_MAX_HELD));
    this.resetBudget();
  }

  /** Renegotiated terms apply from the next event on; what is held stays held. */
  update(capabilities: Capabilities): void {
    this.capabilities = capabilities;
    this.resetBudget();
    this.pump();
  }

  /**
   * Takes whole `aaep.event` frames from the hub. Always true: while the transport is full
   * the policy holds (and coalesces) events itself, bounded by `maxHeld`.
   */
  write(frames: Buffer): boolean {
    for (const { frame, json, hasId } of splitEventFrames(frames)) {
      if (this.disposed) break;
      if (json === '') this.position(frame);
      else this.accept(JSON.parse(json) as Wire, frame, !hasId);
    }
    return true;
  }

  /** The transport drained. */
  resume(): void {
    this.blocked = false;
    this.pump();
  }

  /** Events held back right now (coalesced items, not source events). */
  get heldCount(): number {
    return this.held.length;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.held.length = 0;
    this.heldPosition = undefined;
    this.partialOutputs.clear();
  }

  /**
   * A catch-up's end (no event, only the stream's last id): a client that reconnected after
   * it but before the re-sent events held back here would never get them, so it waits.
   */
  private position(frame: Buffer): void {
    if (this.held.length > 0 || this.blocked) {
      this.heldPosition = frame;
      return;
    }
    if (!this.out.write(frame)) this.blocked = true;
  }

  private releasePosition(): void {
    if (this.heldPosition === undefined || this.held.length > 0 || this.blocked) return;
    const frame = this.heldPosition;
    this.heldPosition = undefined;
    if (!this.out.write(frame)) this.blocked = true;
  }

  private resetBudget(): void {
    const rate = this.capabilities.max_events_per_second;
    this.tokens = rate ?? 0;
    this.refilledAt = performance.now();
  }

  private accept(event: Wire, frame: Buffer, resent: boolean): void {
    // Spec §5.3.1.4–5: a question it declared it cannot answer is not sent; it takes its default (see unanswerableQuestions).
    if (event.type === CONFIRMATION && this.capabilities.supports_confirmation_reply === false) return;
    if (event.type === CLARIFICATION && this.capabilities.supports_clarification_reply === false) return;
    const critical = isCritical(event);
    if (!critical && !this.wanted(event.type)) return;
    let item: Held = { event, frame, resent };
    if (!critical && event.type === OUTPUT && this.completionOnly()) {
      const whole = this.joinUntilComplete(event);
      if (whole === undefined) return;
      item = whole;
    }
    if (critical) {
      this.releaseSession(event.session_id);
      this.emit(item);
      return;
    }
    const rate = this.capabilities.max_events_per_second;
    if (this.held.length === 0 && !this.blocked) {
      if (rate === undefined) {
        this.emit(item);
        return;
      }
      this.refill(rate);
      if (this.tokens >= 1) {
        this.tokens--;
        this.emit(item);
        return;
      }
    }
    if (!this.coalesce(item)) {
      this.held.push(item);
      if (this.held.length > this.maxHeld) {
        this.dispose();
        this.out.overflow();
        return;
      }
    }
    if (rate !== undefined) this.schedule(rate);
  }

  private wanted(type: string): boolean {
    const filters = this.capabilities.event_filters;
    const include = filters?.include ?? DEFAULT_INCLUDE;
    const exclude = filters?.exclude ?? [];
    return include.some((p) => matches(p, type)) && !exclude.some((p) => matches(p, type));
  }

  private completionOnly(): boolean {
    const boundaries = this.capabilities.coalesce_boundaries;
    return boundaries !== undefined && !boundaries.includes('sentence') && !boundaries.includes('none');
  }

  /** Gathers an output's chunks; returns the whole of it (or a full 16 KiB piece) when due. */
  private joinUntilComplete(event: Wire): Held | undefined {
    const key = `${event.session_id} ${String(event.output_id)}`;
    const previous = this.partialOutputs.get(key);
    if (previous === undefined) {
      if (event.complete === true) return { event, frame: undefined };
      this.partialOutputs.set(key, event);
      return undefined;
    }
    const joined = mergeChunks(previous, event);
    if (joined === undefined) {
      // The next piece would pass the schema's chunk limit: the gathered text goes out now.
      this.partialOutputs.set(key, event);
      return { event: previous, frame: undefined };
    }
    if (event.complete === true) {
      this.partialOutputs.delete(key);
      return { event: joined, frame: undefined };
    }
    this.partialOutputs.set(key, joined);
    return undefined;
  }

  /**
   * Folds an event into what its session already holds: a chunk into the held chunk of the
   * same output, a state change into the session's held state change (one from the state
   * last delivered to the latest; none at all when that is no change), a progress update
   * into the held one. Returns false when the event has to wait as an item of its own.
   */
  private coalesce(item: Held): boolean {
    const event = item.event;
    if (event.type !== OUTPUT && event.type !== STATE && event.type !== PROGRESS) return false;
    const index = this.held.findIndex(
      (h) => h.event.session_id === event.session_id && h.event.type === event.type && (event.type !== OUTPUT || h.event.output_id === event.output_id),
    );
    if (index === -1) return false;
    const earlier = this.held[index]!.event;
    const folded = fold(earlier, event);
    if (folded === undefined) return false;
    // It goes out in the earlier event's place, so with its time: a session's times never go back.
    const merged: Wire = { ...folded, timestamp: earlier.timestamp };
    if (merged.type === STATE && merged.from_state === merged.to_state) this.held.splice(index, 1);
    else this.held[index] = { event: merged, frame: undefined, resent: this.held[index]!.resent === true && item.resent === true };
    return true;
  }

  private releaseSession(sessionId: string): void {
    if (!this.held.some((h) => h.event.session_id === sessionId)) return;
    const rest: Held[] = [];
    for (const item of this.held) {
      if (item.event.session_id === sessionId) {
        this.tokens--;
        this.emit(item);
      } else rest.push(item);
    }
    this.held.length = 0;
    this.held.push(...rest);
  }

  private refill(rate: number): void {
    const now = performance.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
  }

  private pump(): void {
    if (this.disposed) return;
    const rate = this.capabilities.max_events_per_second;
    if (rate === undefined) {
      while (this.held.length > 0 && !this.blocked) this.emit(this.held.shift()!);
      this.releasePosition();
      return;
    }
    this.refill(rate);
    while (this.held.length > 0 && this.tokens >= 1 && !this.blocked) {
      this.tokens--;
      this.emit(this.held.shift()!);
    }
    this.releasePosition();
    if (this.held.length > 0) this.schedule(rate);
  }

  private schedule(rate: number): void {
    if (this.timer !== undefined || this.blocked || this.disposed) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / rate) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Delivery is our own I/O: it must not show up in the user's traces.
      context.with(suppressTracing(ROOT_CONTEXT), () => this.pump());
    }, waitMs);
    this.timer.unref();
  }

  private emit(item: Held): void {
    const event = item.event;
    let frame = item.frame;
    if (typeof event.sequence_number === 'number') {
      const expected = this.nextSequence.get(event.session_id) ?? event.sequence_number;
      if (expected !== event.sequence_number) {
        event.sequence_number = expected;
        frame = undefined;
      }
      if (TERMINAL_TYPES.has(event.type)) this.nextSequence.delete(event.session_id);
      else this.nextSequence.set(event.session_id, expected + 1);
    }
    frame ??= Buffer.from(sseFrame({ event: 'aaep.event', ...(item.resent !== true && { id: event.event_id }), data: JSON.stringify(event) }));
    if (!this.out.write(frame)) this.blocked = true;
  }
}

/** Two consecutive chunks of one output as one, or undefined when they cannot be one chunk. */
function mergeChunks(first: Wire, next: Wire): Wire | undefined {
  if (first.output_id !== next.output_id || first.complete === true) return undefined;
  const chunk = String(first.chunk) + String(next.chunk);
  if (codePoints(chunk) > MAX_CHUNK_CODE_POINTS) return undefined;
  return { ...next, chunk, position: first.position };
}

/** Folds `next` into the held `last` event of the same session, when the spec lets them coalesce. */
function fold(last: Wire, next: Wire): Wire | undefined {
  if (last.type !== next.type) return undefined;
  if (next.type === OUTPUT) return mergeChunks(last, next);
  if (next.type === STATE) return { ...next, from_state: last.from_state };
  if (next.type === PROGRESS) return next;
  return undefined;
}
