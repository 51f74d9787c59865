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

/** What translating did, in the order it happened, for the receiver's thread to carry out. */
export type Effect =
  | { readonly kind: 'event'; readonly event: SerializedEvent; readonly owner: string | undefined }
  | { readonly kind: 'ask'; readonly request: ReplyRequest }
  | { readonly kind: 'closed'; readonly sessionId: string }
  | { readonly kind: 'snapshot'; readonly message: SnapshotMessage }
  | { readonly kind: 'gone'; readonly sessionId: string }
  | { readonly kind: 'violation'; readonly message: string }
  | { readonly kind: 'limit'; readonly reached: LimitReached };

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
  | { readonly type: 'effects'; readonly effects: readonly Effect[]; readonly usage: TranslationUsage }
  | { readonly type: 'ingested'; readonly id: number; readonly result: IngestResult; readonly usage: TranslationUsage; readonly decoded?: DecodedExport }
  | { readonly type: 'invalid'; readonly id: number; readonly message: string }
  | { readonly type: 'closed'; readonly id: number }
  | { readonly type: 'memory'; readonly id: number; readonly bytes: number }
  | DiagMessage;
