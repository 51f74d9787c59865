import type { OtlpRecords } from './recordsFromOtlp.js';
import type { IngestResult } from './TraceAssembler.js';

/**
 * What an OTLP intake hands decoded exports to: a TraceAssembler in this thread,
 * or the receiver's translation workers (see TranslationWorkers).
 */
export interface SpanIntake {
  ingest(records: OtlpRecords): IngestResult | Promise<IngestResult>;
}

/** The intake cannot take the export now (a translation worker is gone): the sender should retry it. */
export class IntakeUnavailable extends Error {
  override readonly name = 'IntakeUnavailable';
}
