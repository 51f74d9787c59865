/**
 * OTLP protobuf messages from OpenTelemetry's own generated code (the
 * opentelemetry-proto definitions compiled by protobufjs, shipped in
 * @opentelemetry/otlp-transformer 0.216, the last release that carries the trace
 * service messages), and google.rpc.Status written with protobufjs's Writer.
 */
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import protobuf from 'protobufjs/minimal.js';

export interface LongLike {
  readonly low: number;
  readonly high: number;
}

export interface ProtoAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: LongLike | number | string;
  doubleValue?: number;
  arrayValue?: { values?: ProtoAnyValue[] | null } | null;
  kvlistValue?: { values?: ProtoKeyValue[] | null } | null;
  bytesValue?: Uint8Array;
}

export interface ProtoKeyValue {
  key?: string;
  value?: ProtoAnyValue | null;
}

export interface ProtoEvent {
  timeUnixNano?: LongLike | number | string;
  name?: string;
  attributes?: ProtoKeyValue[] | null;
}

export interface ProtoSpan {
  traceId?: Uint8Array | string;
  spanId?: Uint8Array | string;
  parentSpanId?: Uint8Array | string;
  flags?: number;
  name?: string;
  startTimeUnixNano?: LongLike | number | string;
  endTimeUnixNano?: LongLike | number | string;
  attributes?: ProtoKeyValue[] | null;
  events?: ProtoEvent[] | null;
  status?: { code?: number | string; message?: string } | null;
}

export interface ProtoTraceRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: ProtoSpan[] | null }> | null }> | null;
}

interface MessageType<T> {
  decode(reader: Uint8Array): T;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: unknown): unknown;
}

type GeneratedRoot = {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: {
            ExportTraceServiceRequest: MessageType<ProtoTraceRequest>;
            ExportTraceServiceResponse: MessageType<unknown>;
          };
        };
      };
    };
  };
};

const traceService = (generated as unknown as GeneratedRoot).opentelemetry.proto.collector.trace.v1;

/** Decodes an ExportTraceServiceRequest; throws on bytes that are not one. */
export function decodeTraceRequest(body: Uint8Array): ProtoTraceRequest {
  return traceService.ExportTraceServiceRequest.decode(body);
}

/** Encodes an ExportTraceServiceResponse, with `partial_success` when spans were rejected. */
export function encodeTraceResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  const response =
    rejectedSpans > 0 || errorMessage !== ''
      ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } }
      : {};
  return traceService.ExportTraceServiceResponse.encode(traceService.ExportTraceServiceResponse.fromObject(response)).finish();
}

/** Encodes a google.rpc.Status { code = 1; message = 2; } (the OTLP error body). */
export function encodeStatus(code: number, message: string): Uint8Array {
  return protobuf.Writer.create().uint32(8).int32(code).uint32(18).string(message).finish();
}

/** Decodes a google.rpc.Status, for tests and clients. */
export function decodeStatus(body: Uint8Array): { code: number; message: string } {
  const reader = protobuf.Reader.create(body);
  let code = 0;
  let message = '';
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) code = reader.int32();
    else if (tag >>> 3 === 2) message = reader.string();
    else reader.skipType(tag & 7);
  }
  return { code, message };
}
