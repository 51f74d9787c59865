import { diag } from '@opentelemetry/api';
import type { IngestGate } from './IngestGate.js';
import { decodeTraceRequest } from './otlpProtobuf.js';
import { recordsFromOtlp, type OtlpRecords } from './recordsFromOtlp.js';
import type { ProtoTraceRequest } from './otlpProtobuf.js';
import { decodedOf, IntakeUnavailable, InvalidExport, type DecodedExport, type DecodedIngest, type SpanIntake } from './SpanIntake.js';
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
  return outcomeOf(records, result);
}

/**
 * The same for a protobuf export, decoded where the intake translates (its workers) when it
 * can, else here. Rejects with InvalidExport for a body that is not a valid request.
 */
export async function ingestProtobufExport(intake: SpanIntake, bytes: Uint8Array, gate?: IngestGate): Promise<{ outcome: ExportOutcome; decoded: DecodedExport }> {
  if (intake.ingestProtobuf === undefined) return ingestRequest(intake, () => decodeTraceRequest(bytes), gate);
  let result: DecodedIngest = { refused: 0, reasons: [], decoded: { spans: 0, signals: 0, rejected: 0, errors: [] } };
  try {
    result = await intake.ingestProtobuf(bytes);
  } catch (error) {
    if (error instanceof IntakeUnavailable || error instanceof InvalidExport) throw error;
    diag.error('aaep-otel: translating an OTLP export failed', error);
  }
  if (gate !== undefined) await gate.stored();
  return { outcome: outcomeOf(result.decoded, result), decoded: result.decoded };
}

/** Decodes an export here (`decode` throws for an invalid body: InvalidExport), then as `ingestExport`. */
export async function ingestRequest(intake: SpanIntake, decode: () => ProtoTraceRequest, gate?: IngestGate): Promise<{ outcome: ExportOutcome; decoded: DecodedExport }> {
  let records: OtlpRecords;
  try {
    records = recordsFromOtlp(decode());
  } catch (error) {
    throw new InvalidExport((error as Error).message);
  }
  return { outcome: await ingestExport(intake, records, gate), decoded: decodedOf(records) };
}

function outcomeOf(decoded: Pick<DecodedExport, 'rejected' | 'errors'>, result: IngestResult): ExportOutcome {
  const reasons = [
    ...(decoded.rejected > 0 ? [`${decoded.rejected} span(s) rejected: ${decoded.errors.join('; ')}`] : []),
    ...result.reasons.map(({ spans, why }) => `${spans} span(s) refused: ${why}`),
  ];
  return { rejected: decoded.rejected + result.refused, refused: result.refused, message: reasons.join('; ') };
}

/** What an intake answers (retryable) when `ingestExport` rejected. */
export function unavailableMessage(error: unknown): string {
  return error instanceof IntakeUnavailable ? error.message : 'The event store did not confirm the events; retry later.';
}
