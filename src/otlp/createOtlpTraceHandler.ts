import { diag } from '@opentelemetry/api';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { IngestGate } from './IngestGate.js';
import { decodeTraceRequest, encodeStatus, encodeTraceResponse, type ProtoTraceRequest } from './otlpProtobuf.js';
import { recordsFromOtlp } from './recordsFromOtlp.js';
import type { TraceAssembler } from './TraceAssembler.js';

export const OTLP_TRACES_PATH = '/v1/traces';

export interface OtlpTraceHandlerOptions {
  readonly assembler: TraceAssembler;
  /** Largest request body, compressed or not. Default 4 MiB (the OTLP exporters' batches are far smaller). */
  readonly maxBodyBytes?: number;
  /** Spans waiting for their parents before new exports are turned away with 503. Default 200,000. */
  readonly maxHeldSpans?: number;
  /** Exports decoded at once before new ones get 429. Default 64. */
  readonly maxConcurrent?: number;
  /** Seconds a client is asked to wait by 429/503. Default 2. */
  readonly retryAfterSeconds?: number;
  /** The event store's say on whether an export may be taken and when it is stored (a shared hub). */
  readonly gate?: IngestGate;
  /** Told about each export, for the receiver's logs. */
  readonly onExport?: (summary: { spans: number; signals: number; rejected: number; encoding: Encoding }) => void;
}

type Encoding = 'protobuf' | 'json';

/** gRPC status codes used in google.rpc.Status bodies (OTLP/HTTP §Failures). */
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

function encodingOf(req: Request): Encoding | undefined {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** A google.rpc.Status in the request's encoding (JSON when the request's is unknown). */
function sendStatus(res: Response, http: number, encoding: Encoding | undefined, code: number, message: string): void {
  if (encoding === 'protobuf') {
    res.status(http).type('application/x-protobuf').send(Buffer.from(encodeStatus(code, message)));
  } else {
    res.status(http).json({ code, message });
  }
}

/**
 * `POST /v1/traces` as the OTLP/HTTP specification describes it: protobuf or JSON,
 * gzip or not; 200 with an ExportTraceServiceResponse (and `partial_success` when
 * some spans were invalid), 400 with a google.rpc.Status for undecodable bodies,
 * 415 for other media types or encodings, 413 above the size limit, 429 and 503
 * with Retry-After when the receiver is over capacity.
 */
export function createOtlpTraceHandler(options: OtlpTraceHandlerOptions): Router {
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxHeld = options.maxHeldSpans ?? 200_000;
  const maxConcurrent = options.maxConcurrent ?? 64;
  const retryAfter = String(options.retryAfterSeconds ?? 2);
  let inFlight = 0;
  const router = Router();

  router.post(
    OTLP_TRACES_PATH,
    (req: Request, res: Response, next: NextFunction) => {
      const encoding = encodingOf(req);
      if (encoding === undefined) {
        sendStatus(res, 415, undefined, INVALID_ARGUMENT, 'Unsupported Content-Type: send application/x-protobuf or application/json.');
        return;
      }
      if (inFlight >= maxConcurrent) {
        res.set('Retry-After', retryAfter);
        sendStatus(res, 429, encoding, RESOURCE_EXHAUSTED, 'Too many concurrent exports; retry later.');
        return;
      }
      if (options.assembler.heldSpans >= maxHeld) {
        res.set('Retry-After', retryAfter);
        sendStatus(res, 503, encoding, UNAVAILABLE, 'The receiver is holding too many spans; retry later.');
        return;
      }
      if (options.gate !== undefined && !options.gate.available) {
        res.set('Retry-After', retryAfter);
        sendStatus(res, 503, encoding, UNAVAILABLE, 'The event store is unreachable; retry later.');
        return;
      }
      inFlight++;
      res.once('close', () => inFlight--);
      next();
    },
    express.raw({ type: () => true, limit: maxBody, inflate: true }),
    async (req: Request, res: Response) => {
      const encoding = encodingOf(req)!;
      const body: unknown = req.body;
      const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      let request: ProtoTraceRequest;
      try {
        request = encoding === 'protobuf' ? decodeTraceRequest(bytes) : (JSON.parse(bytes.toString('utf8')) as ProtoTraceRequest);
      } catch (error) {
        sendStatus(res, 400, encoding, INVALID_ARGUMENT, `The body is not a valid ${encoding === 'protobuf' ? 'protobuf' : 'JSON'} ExportTraceServiceRequest: ${(error as Error).message}`);
        return;
      }
      let records: ReturnType<typeof recordsFromOtlp>;
      try {
        records = recordsFromOtlp(request);
      } catch (error) {
        sendStatus(res, 400, encoding, INVALID_ARGUMENT, `The body is not a valid ExportTraceServiceRequest: ${(error as Error).message}`);
        return;
      }
      try {
        options.assembler.ingest(records);
      } catch (error) {
        diag.error('aaep-otel: translating an OTLP export failed', error);
      }
      if (options.gate !== undefined) {
        try {
          await options.gate.stored();
        } catch {
          res.set('Retry-After', retryAfter);
          sendStatus(res, 503, encoding, UNAVAILABLE, 'The event store did not confirm the events; retry later.');
          return;
        }
      }
      options.onExport?.({ spans: records.ended.length, signals: records.signals.length, rejected: records.rejected, encoding });
      const message = records.rejected > 0 ? `${records.rejected} span(s) rejected: ${records.errors.join('; ')}` : '';
      if (encoding === 'protobuf') {
        res.status(200).type('application/x-protobuf').send(Buffer.from(encodeTraceResponse(records.rejected, message)));
      } else {
        res.status(200).json(records.rejected > 0 ? { partialSuccess: { rejectedSpans: String(records.rejected), errorMessage: message } } : {});
      }
    },
  );

  // Body errors from express.raw: too large, unknown Content-Encoding, broken gzip.
  router.use((error: { status?: number; type?: string; message?: string }, req: Request, res: Response, next: NextFunction) => {
    if (req.path !== OTLP_TRACES_PATH || res.headersSent) {
      next(error);
      return;
    }
    const encoding = encodingOf(req);
    if (error.type === 'entity.too.large') {
      sendStatus(res, 413, encoding, INVALID_ARGUMENT, `The body is larger than ${maxBody} bytes; export smaller batches.`);
    } else if (error.type === 'encoding.unsupported') {
      sendStatus(res, 415, encoding, INVALID_ARGUMENT, 'Unsupported Content-Encoding: send gzip or no encoding.');
    } else {
      sendStatus(res, 400, encoding, INVALID_ARGUMENT, `The body could not be read: ${error.message ?? 'malformed'}`);
    }
  });

  return router;
}
