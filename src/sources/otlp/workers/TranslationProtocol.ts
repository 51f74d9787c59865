import type { SerializedEvent } from '../../../hub/SerializedEvent.js';
import type { LimitReached, StoreUsage } from '../../../limits.js';
import type { Producer } from '../../../protocol/index.js';
import type { SessionSnapshot } from '../../../translate/CatchUpSnapshot.js';
import type { EventPhrases } from '../../../translate/messages/EventPhrases.js';
import type { ReplyRequest } from '../../../translate/TranslatorOptions.js';
import type { DiagMessage } from '../../worker/workerThreads.js';
import type { OtlpRecords } from '../recordsFromOtlp.js';
import type { DecodedExport } from '../SpanIntake.js';
import type { IngestResult } from '../TraceAssembler.js';

/** The receiver's bounds and quiet time, which its workers hold together. */
export interface TranslationBounds {
  readonly maxSessions: number;
  readonly maxSpansPerSession: number;
  readonly quietMs: number;
  readonly maxHeldSpansPerTrace: number;
  readonly maxHeldSpans: number;
}

/** A translation worker's `workerData`: the receiver's bounds, and the counts every worker holds them with. */
export interface TranslationWorkerData extends TranslationBounds {
  readonly producer: Producer;
  /** Tally buffers shared by all the workers. */
  readonly openSessions: SharedArrayBuffer;
  readonly heldSpans: SharedArrayBuffer;
  readonly diagLevel: number;
}

/** A session's snapshot as it crosses threads: its events' phrases beside them (a symbol does not travel). */
export interface SnapshotMessage {
  readonly snapshot: SessionSnapshot;
  readonly phrases: ReadonlyArray<EventPhrases | undefined>;
  readonly questionPhrases: ReadonlyArray<EventPhrases | undefined>;
}

/**
 * The events of one batch, packed: their JSON one after another in a single string and their
 * fields side by side, which crosses threads for a fraction of what one object per event costs.
 */
export interface PackedEvents {
  readonly json: string;
  /** Where each event's JSON ends in `json`. */
  readonly ends: number[];
  readonly eventIds: string[];
  readonly sessionIds: string[];
  readonly types: Array<SerializedEvent['type']>;
  readonly owners: Array<string | undefined>;
  readonly phrases: Array<EventPhrases | undefined>;
  readonly replyTokens: Array<string | undefined>;
}

/** What else translating did, for the receiver's thread to carry out. */
export type EffectBody =
  | { readonly kind: 'ask'; readonly request: ReplyRequest }
  | { readonly kind: 'closed'; readonly sessionId: string }
  | { readonly kind: 'snapshot'; readonly message: SnapshotMessage }
  | { readonly kind: 'gone'; readonly sessionId: string }
  | { readonly kind: 'violation'; readonly message: string }
  | { readonly kind: 'limit'; readonly reached: LimitReached };

/** An effect in its place: after the first `at` events of its batch. */
export type Effect = EffectBody & { readonly at: number };

/** One worker's stores against their bounds. */
export interface TranslationUsage {
  readonly sessions: StoreUsage;
  readonly spans: StoreUsage & { perSession: number };
  readonly heldSpans: StoreUsage & { traces: number; perTrace: number };
}

export type ToTranslation =
  | { readonly type: 'ingest'; readonly id: number; readonly records: Pick<OtlpRecords, 'ended' | 'signals'> }
  /** A protobuf ExportTraceServiceRequest holding only this worker's traces, decoded here. */
  | { readonly type: 'ingestProtobuf'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly type: 'restamp'; readonly sessionId: string; readonly time: number }
  | { readonly type: 'close'; readonly id: number }
  | { readonly type: 'memory'; readonly id: number };

export type FromTranslation =
  | { readonly type: 'ready' }
  | { readonly type: 'effects'; readonly events: PackedEvents; readonly effects: readonly Effect[]; readonly usage: TranslationUsage }
  | { readonly type: 'ingested'; readonly id: number; readonly result: IngestResult; readonly usage: TranslationUsage; readonly decoded?: DecodedExport }
  | { readonly type: 'invalid'; readonly id: number; readonly message: string }
  | { readonly type: 'closed'; readonly id: number }
  | { readonly type: 'memory'; readonly id: number; readonly bytes: number }
  | DiagMessage;
