import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequest } from '../../../../src/sources/otlp/otlpProtobuf.js';
import { recordsFromOtlp } from '../../../../src/sources/otlp/recordsFromOtlp.js';
import { splitTraceRequest } from '../../../../src/sources/otlp/workers/splitTraceRequest.js';
import { shardOf, shardOfBytes } from '../../../../src/sources/otlp/workers/TranslationWorkers.js';

/** The parts of a decoded request this test reads. */
interface DecodedRequest {
  readonly resourceSpans?: ReadonlyArray<{
    readonly resource?: { readonly attributes?: ReadonlyArray<{ readonly key: string; readonly value?: { readonly stringValue?: string } }> };
    readonly scopeSpans?: ReadonlyArray<{ readonly scope?: { readonly name?: string; readonly version?: string }; readonly spans?: ReadonlyArray<{ readonly spanId?: Uint8Array | string }> }>;
  }>;
}

/** Spans of `traces` traces from two services and two instrumentation scopes, as one export. */
function exportOf(traces: number): { bytes: Uint8Array; spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  for (const service of ['checkout', 'search']) {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(memory)] });
    for (let t = 0; t < traces; t++) {
      const root = provider.getTracer('agent').startSpan(`${service} ${t}`, {}, ROOT_CONTEXT);
      provider.getTracer('tools', '1.2.3').startSpan(`tool ${t}`, {}, trace.setSpan(ROOT_CONTEXT, root)).end();
      root.end();
    }
    spans.push(...memory.getFinishedSpans());
  }
  return { bytes: ProtobufTraceSerializer.serializeRequest(spans)!, spans };
}

describe('splitting a protobuf export by trace id', () => {
  it('puts every span, with its resource and scope, in the part its trace id falls to, in the order it came', () => {
    const { bytes, spans } = exportOf(12);
    const whole = recordsFromOtlp(decodeTraceRequest(bytes));
    for (const parts of [2, 3]) {
      const split = splitTraceRequest(bytes, parts, (traceId) => shardOfBytes(traceId, parts));
      expect(split).toHaveLength(parts);
      const seen: string[] = [];
      split.forEach((part, index) => {
        const request = decodeTraceRequest(part);
        for (const resourceSpans of (request as unknown as DecodedRequest).resourceSpans ?? []) {
          const service = resourceSpans.resource?.attributes?.find((kv) => kv.key === 'service.name')?.value?.stringValue;
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) {
              const original = spans.find((s) => s.spanContext().spanId === Buffer.from(span.spanId as Uint8Array).toString('hex'))!;
              expect(shardOf(original.spanContext().traceId, parts)).toBe(index);
              expect(service).toBe(original.resource.attributes['service.name']);
              expect(scopeSpans.scope?.name).toBe(original.instrumentationScope.name);
              expect(scopeSpans.scope?.version ?? '').toBe(original.instrumentationScope.version ?? '');
              seen.push(original.spanContext().spanId);
            }
          }
        }
        // Decoded on its own, a part gives exactly the records of its traces, in the whole's order.
        const mine = whole.ended.filter((record) => shardOf(record.traceId, parts) === index);
        expect(recordsFromOtlp(request).ended).toEqual(mine);
      });
      expect(seen.sort()).toEqual(spans.map((span) => span.spanContext().spanId).sort());
    }
  });

  it('leaves a part with no span empty, and chooses the same part for a trace id in bytes as in hex', () => {
    const { bytes } = exportOf(1);
    const split = splitTraceRequest(bytes, 3, () => 1);
    expect(split[0]).toHaveLength(0);
    expect(split[2]).toHaveLength(0);
    expect(recordsFromOtlp(decodeTraceRequest(split[1]!)).ended).toEqual(recordsFromOtlp(decodeTraceRequest(bytes)).ended);
    for (let i = 0; i < 200; i++) {
      const id = randomBytes(16);
      for (const workers of [1, 2, 3, 7]) expect(shardOfBytes(id, workers)).toBe(shardOf(id.toString('hex'), workers));
    }
  });

  it('throws on a truncated or garbled body rather than guessing', () => {
    const { bytes } = exportOf(2);
    expect(() => splitTraceRequest(bytes.subarray(0, bytes.length - 7), 2, () => 0)).toThrow();
    expect(() => splitTraceRequest(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), 2, () => 0)).toThrow(/past the end/);
    expect(() => splitTraceRequest(Uint8Array.from([0x00, 0x01]), 2, () => 0)).toThrow(/field number 0/);
  });
});
