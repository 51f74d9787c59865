import { diag } from '@opentelemetry/api';
import type { IngestGate } from './IngestGate.js';
import type { OtlpRecords } from './recordsFromOtlp.js';
import { IntakeUnavailable, type SpanIntake } from './SpanIntake.js';
import type { IngestResult } from './TraceAssembler.js';

/** What an intake answers for one export: the spans not taken and why, for `partial_success`. */
export interface ExportOutcome {
  /** Invalid spans plus spans refused at a bound. */
  readonly rejected: number;
  /** Of those, the spans refused at a bound. */
  readonly refused: number;
  /** Empty when nothing was rejected. */
  readonly message: string;
}

/**
 * Translates one decoded export, the same for OTLP/HTTP and OTLP/gRPC, and, with a
 * shared store, waits until it holds the events: an export is acknowledged only once
 * nothing in it can be lost. Rejects when the intake or the store could not take it (the intake then
 * answers a retryable status); a translation failure goes to `diag`, never to the sender.
 */
export async function ingestExport(intake: SpanIntake, records: OtlpRecords, gate?: IngestGate): Promise<ExportOutcome> {
  let result: IngestResult = { refused: 0, reasons: [] };
  try {
    result = await intake.ingest(records);
  } catch (error) {
    if (error instanceof IntakeUnavailable) throw error;
    diag.error('aaep-otel: translating an OTLP export failed', error);
  }
  if (gate !== undefined) await gate.stored();
  const reasons = [...(records.rejected > 0 ? [`${records.rejected} span(s) rejected: ${records.errors.join('; ')}`] : []), ...result.reasons];
  return { rejected: records.rejected + result.refused, refused: result.refused, message: reasons.join('; ') };
}

/** What an intake answers (retryable) when `ingestExport` rejected. */
export function unavailableMessage(error: unknown): string {
  return error instanceof IntakeUnavailable ? error.message : 'The event store did not confirm the events; retry later.';
}
