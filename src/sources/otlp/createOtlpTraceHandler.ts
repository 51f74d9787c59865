import { diag } from '@opentelemetry/api';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { readEnvString } from '../../env.js';
import { bearerToken, tokenMatcher } from '../../http/authenticate.js';
import { isCrossSite, isReboundPage } from '../../http/refuseCrossSite.js';
import type { IngestGate } from './IngestGate.js';
import { encodeStatus, encodeTraceResponse, type ProtoTraceRequest } from './otlpProtobuf.js';
import { InvalidExport, type DecodedExport, type SpanIntake } from './SpanIntake.js';
import { ingestProtobufExport, ingestRequest, unavailableMessage, type ExportOutcome } from './ingestExport.js';

export const OTLP_TRACES_PATH = '/v1/traces';

export interface OtlpTraceHandlerOptions {
  /** What translates the spans: a TraceAssembler, or the receiver's translation workers. */
  readonly assembler: SpanIntake;
  /**
   * Bearer token every export must carry (`Authorization: Bearer …`), else 401 and
   * nothing is read. Else `AAEP_INGEST_TOKEN`, else `AAEP_TOKEN`, else none.
   */
  readonly token?: string;
  /** Browser origins whose pages may post spans; other sites' pages get 403. Default: none. */
  readonly corsOrigins?: readonly string[];
  /** Largest request body, compressed or not. Default 4 MiB (the OTLP exporters' batches are far smaller). */
  readonly maxBodyBytes?: number;
  /**
   * Bytes of export bodies being received at once, over all requests, before new ones
   * get 429. Counted as the bytes arrive, not per request: an upload trickling in holds
   * only what it has sent, so slow clients cannot make a normal exporter wait or get 429.
   * Default 64 MiB.
   */
  readonly maxPendingBytes?: number;
  /** Time a client has to send its whole body once its headers are in; then 408 and the connection is closed. Default 10 s. */
  readonly bodyTimeoutMs?: number;
  /** Seconds a client is asked to wait by 429. Default 2. */
  readonly retryAfterSeconds?: number;
  /** The event store's say on whether an export may be taken and when it is stored (a shared hub). */
  readonly gate?: IngestGate;
  /** Told about each export, for the receiver's logs. */
  readonly onExport?: (summary: { spans: number; signals: number; rejected: number; refused: number; encoding: Encoding }) => void;
}

type Encoding = 'protobuf' | 'json';

/** gRPC status codes used in google.rpc.Status bodies (OTLP/HTTP §Failures). */
const INVALID_ARGUMENT = 3;
const DEADLINE_EXCEEDED = 4;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

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
 * some spans were invalid or refused at a bound), 400 with a google.rpc.Status for
 * undecodable bodies, 401 without the ingest token, 403 from another site's page,
 * 415 for other media types or encodings, 413 above the size limit, 408 when the
 * body is not in by the deadline, 429 with Retry-After when too many export bytes
 * are in progress. A trace or session at its bound gets its spans refused in
 * `partial_success`: other exports go on as before.
 */
export function createOtlpTraceHandler(options: OtlpTraceHandlerOptions): Router {
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxPending = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const retryAfter = String(options.retryAfterSeconds ?? 2);
  const token = options.token ?? readEnvString('AAEP_INGEST_TOKEN') ?? readEnvString('AAEP_TOKEN');
  const matches = token === undefined ? undefined : tokenMatcher(token);
  const allowedOrigins = new Set(options.corsOrigins ?? []);
  /** Body bytes received and not yet translated, over every export in progress. */
  let pending = 0;
  const router = Router();

  router.post(
    OTLP_TRACES_PATH,
    (req: Request, res: Response, next: NextFunction) => {
      const encoding = encodingOf(req);
      if (isCrossSite(req, allowedOrigins) || (matches === undefined && isReboundPage(req, allowedOrigins))) {
        sendStatus(res, 403, encoding, PERMISSION_DENIED, "Other sites' pages may not send spans here.");
        return;
      }
      if (matches !== undefined && !matches(bearerToken(req))) {
        res.set('WWW-Authenticate', 'Bearer realm="aaep-ingest"');
        sendStatus(res, 401, encoding, UNAUTHENTICATED, 'A valid ingest token is required: Authorization: Bearer <AAEP_INGEST_TOKEN>.');
        return;
      }
      if (encoding === undefined) {
        sendStatus(res, 415, undefined, INVALID_ARGUMENT, 'Unsupported Content-Type: send application/x-protobuf or application/json.');
        return;
      }
      // A body declared too large is left to the size limit below (413), not turned away as busy.
      const declared = Number(req.get('content-length') ?? 0) || 0;
      if (declared <= maxBody && pending + declared > maxPending) {
        res.set('Retry-After', retryAfter);
        sendStatus(res, 429, encoding, RESOURCE_EXHAUSTED, 'Too many export bytes in progress; retry later.');
        return;
      }
      if (options.gate !== undefined && !options.gate.available) {
        res.set('Retry-After', retryAfter);
        sendStatus(res, 503, encoding, UNAVAILABLE, 'The event store is unreachable; retry later.');
        return;
      }
      let mine = 0;
      const release = () => {
        pending -= mine;
        mine = 0;
      };
      /** Answers before the body is in and closes the connection, so the rest is never read. */
      const cutOff = (http: number, code: number, message: string) => {
        if (res.headersSent) return;
        release();
        res.set('Connection', 'close');
        if (http === 429) res.set('Retry-After', retryAfter);
        sendStatus(res, http, encoding, code, message);
      };
      const deadline = setTimeout(() => cutOff(408, DEADLINE_EXCEEDED, `The body did not arrive within ${bodyTimeoutMs} ms.`), bodyTimeoutMs);
      deadline.unref();
      req.on('data', (chunk: Buffer) => {
        if (res.headersSent) return;
        mine += chunk.length;
        pending += chunk.length;
        if (pending > maxPending) cutOff(429, RESOURCE_EXHAUSTED, 'Too many export bytes in progress; retry later.');
      });
      req.once('end', () => clearTimeout(deadline));
      res.once('close', () => {
        clearTimeout(deadline);
        release();
      });
      next();
    },
    express.raw({ type: () => true, limit: maxBody, inflate: true }),
    async (req: Request, res: Response) => {
      const encoding = encodingOf(req)!;
      const body: unknown = req.body;
      const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      let outcome: ExportOutcome;
      let decoded: Omit<DecodedExport, 'errors'>;
      try {
        ({ outcome, decoded } =
          encoding === 'protobuf'
            ? await ingestProtobufExport(options.assembler, bytes, options.gate)
            : await ingestRequest(options.assembler, () => JSON.parse(bytes.toString('utf8')) as ProtoTraceRequest, options.gate));
      } catch (error) {
        if (error instanceof InvalidExport) {
          sendStatus(res, 400, encoding, INVALID_ARGUMENT, `The body is not a valid ${encoding === 'protobuf' ? 'protobuf' : 'JSON'} ExportTraceServiceRequest: ${error.message}`);
          return;
        }
        res.set('Retry-After', retryAfter);
        sendStatus(res, 503, encoding, UNAVAILABLE, unavailableMessage(error));
        return;
      }
      const { rejected, refused, message } = outcome;
      options.onExport?.({ spans: decoded.spans, signals: decoded.signals, rejected: decoded.rejected, refused, encoding });
      if (encoding === 'protobuf') {
        res.status(200).type('application/x-protobuf').send(Buffer.from(encodeTraceResponse(rejected, message)));
      } else {
        res.status(200).json(rejected > 0 ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } } : {});
      }
    },
  );

  // Body errors from express.raw: too large, unknown Content-Encoding, broken gzip.
  router.use((error: { status?: number; type?: string; message?: string }, req: Request, res: Response, next: NextFunction) => {
    if (req.path !== OTLP_TRACES_PATH) {
      next(error);
      return;
    }
    // Already answered (cut off at the deadline or the byte bound): the read failing is expected.
    if (res.headersSent) return;
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
