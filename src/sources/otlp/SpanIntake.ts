import type { OtlpRecords } from './recordsFromOtlp.js';
import type { IngestResult } from './TraceAssembler.js';

/**
 * What an OTLP intake hands decoded exports to: a TraceAssembler in this thread,
 * or the receiver's translation workers (see TranslationWorkers).
 */
export interface SpanIntake {
  ingest(records: OtlpRecords): IngestResult | Promise<IngestResult>;
  /**
   * A protobuf export still encoded, for an intake that decodes where it translates (its
   * workers), so the receiver's thread does not. Rejects with InvalidExport for a body that is
   * not a valid ExportTraceServiceRequest. Without it the intake decodes and calls `ingest`.
   */
  ingestProtobuf?(bytes: Uint8Array): Promise<DecodedIngest>;
}

/** An export's outcome with what decoding it found. */
export type DecodedIngest = IngestResult & { readonly decoded: DecodedExport };

/** What decoding an export found: its spans and start signals, and those left out as invalid. */
export interface DecodedExport {
  readonly spans: number;
  readonly signals: number;
  readonly rejected: number;
  readonly errors: readonly string[];
}

export function decodedOf(records: OtlpRecords): DecodedExport {
  return { spans: records.ended.length, signals: records.signals.length, rejected: records.rejected, errors: records.errors };
}

/** The body is not a valid ExportTraceServiceRequest (the message says where): not to be retried. */
export class InvalidExport extends Error {
  override readonly name = 'InvalidExport';
}

/** The intake cannot take the export now (a translation worker is gone): the sender should retry it. */
export class IntakeUnavailable extends Error {
  override readonly name = 'IntakeUnavailable';
}
