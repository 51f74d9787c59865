import * as grpc from '@grpc/grpc-js';
import { tokenMatcher } from '../../http/authenticate.js';
import type { IngestGate } from './IngestGate.js';
import { ingestProtobufExport, unavailableMessage, type ExportOutcome } from './ingestExport.js';
import { encodeTraceResponse } from './otlpProtobuf.js';
import { InvalidExport, type DecodedExport, type SpanIntake } from './SpanIntake.js';

/** The OTLP trace service's one method, as opentelemetry-proto names it. */
export const OTLP_GRPC_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export interface OtlpGrpcServerOptions {
  /** What translates the spans: a TraceAssembler, or the receiver's translation workers. */
  readonly assembler: SpanIntake;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Required as `authorization: Bearer …` metadata when set. */
  readonly token?: string | undefined;
  /** Largest message, compressed or decompressed (the same bound as the HTTP body). Default 4 MiB. */
  readonly maxMessageBytes?: number;
  /** Exports handled at once before new ones get RESOURCE_EXHAUSTED. Default 64. */
  readonly maxConcurrent?: number;
  /** The event store's say on whether an export may be taken and when it is stored. */
  readonly gate?: IngestGate;
  readonly onExport?: (summary: { spans: number; signals: number; rejected: number; refused: number; encoding: 'grpc' }) => void;
}

export interface OtlpGrpcServer {
  readonly port: number;
  /** Lets calls in flight finish (at most `graceMs`), then stops. Idempotent. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The service definition with the trace service's own messages: requests stay
 * bytes until the handler decodes them with OpenTelemetry's generated code, so a
 * message that is not an ExportTraceServiceRequest gets INVALID_ARGUMENT with the
 * reason rather than grpc-js's generic INTERNAL.
 */
const TRACE_SERVICE: grpc.ServiceDefinition = {
  Export: {
    path: OTLP_GRPC_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (bytes: Buffer) => bytes,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (bytes: Buffer) => bytes,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

function fail(callback: grpc.sendUnaryData<Buffer>, code: grpc.status, details: string): void {
  callback({ code, details, name: 'OtlpError', message: details }, null);
}

/**
 * OTLP/gRPC trace intake (opentelemetry-proto's TraceService/Export) with the
 * OTLP/HTTP handler's rules: gzip or none, a size bound, bearer auth, partial
 * success for invalid spans, and the retryable codes the OTLP specification
 * names (UNAVAILABLE, RESOURCE_EXHAUSTED) when the receiver cannot take more.
 */
export async function startOtlpGrpcServer(options: OtlpGrpcServerOptions): Promise<OtlpGrpcServer> {
  const maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
  const maxConcurrent = options.maxConcurrent ?? 64;
  const matches = options.token === undefined ? undefined : tokenMatcher(options.token);
  let inFlight = 0;

  const authorized = (metadata: grpc.Metadata): boolean => {
    if (matches === undefined) return true;
    const header = metadata.get('authorization')[0];
    return matches(typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined);
  };

  const exportTraces = async (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): Promise<void> => {
    if (!authorized(call.metadata)) return fail(callback, grpc.status.UNAUTHENTICATED, 'A valid ingest token is required.');
    if (inFlight >= maxConcurrent) return fail(callback, grpc.status.RESOURCE_EXHAUSTED, 'Too many concurrent exports; retry later.');
    if (options.gate !== undefined && !options.gate.available) return fail(callback, grpc.status.UNAVAILABLE, 'The event store is unreachable; retry later.');
    inFlight++;
    let outcome: ExportOutcome;
    let decoded: DecodedExport;
    try {
      ({ outcome, decoded } = await ingestProtobufExport(options.assembler, call.request, options.gate));
    } catch (error) {
      if (error instanceof InvalidExport) return fail(callback, grpc.status.INVALID_ARGUMENT, `The message is not a valid ExportTraceServiceRequest: ${error.message}`);
      return fail(callback, grpc.status.UNAVAILABLE, unavailableMessage(error));
    } finally {
      inFlight--;
    }
    options.onExport?.({ spans: decoded.spans, signals: decoded.signals, rejected: decoded.rejected, refused: outcome.refused, encoding: 'grpc' });
    callback(null, Buffer.from(encodeTraceResponse(outcome.rejected, outcome.message)));
  };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': maxBytes });
  server.addService(TRACE_SERVICE, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => void exportTraces(call, callback),
  });
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );

  let closing: Promise<void> | undefined;
  return {
    port,
    close(graceMs = 2_000) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
