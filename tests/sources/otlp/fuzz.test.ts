import fc from 'fast-check';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Receiver } from '../../../collector/startReceiver.js';
import { decodeStatus } from '../../../src/sources/otlp/otlpProtobuf.js';
import { startTestReceiver } from '../../helpers/receiver.js';

const v1 = (generated as unknown as { opentelemetry: { proto: { collector: { trace: { v1: Record<string, { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } }> } } } } }).opentelemetry.proto.collector.trace.v1;

let receiver: Receiver;
let published = 0;
beforeAll(async () => {
  receiver = await startTestReceiver({ maxBodyBytes: 256 * 1024 });
  const publish = receiver.hub.publish.bind(receiver.hub);
  receiver.hub.publish = (event) => {
    published++;
    publish(event);
  };
});
afterAll(() => receiver.close());

async function send(body: Uint8Array | string, type: string): Promise<{ status: number; body: Uint8Array }> {
  const response = await fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': type }, body });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
}

/** A well-formed protobuf export whose spans carry hostile values. */
const hostileSpan = fc.record({
  traceId: fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 20 }), fc.constant(new Uint8Array(16))),
  spanId: fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 10 }), fc.constant(new Uint8Array(8))),
  parentSpanId: fc.uint8Array({ minLength: 0, maxLength: 10 }),
  name: fc.string({ maxLength: 50 }),
  startTimeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  endTimeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  attributes: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: fc.record({ stringValue: fc.string({ maxLength: 100 }) }) }), { maxLength: 20 }),
});

describe('the receiver under hostile OTLP input', () => {
  it('answers random bytes and truncated or garbled protobuf with a 4xx Status or a partial success, and emits nothing', async () => {
    const valid = v1.ExportTraceServiceRequest!.encode(
      v1.ExportTraceServiceRequest!.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 7), name: 'http', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }),
    ).finish();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.nat(valid.length).map((cut) => valid.slice(0, cut)),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
            const copy = valid.slice();
            copy[at] = byte;
            return copy;
          }),
        ),
        async (bytes) => {
          const { status, body } = await send(bytes, 'application/x-protobuf');
          if (status === 400) expect(decodeStatus(body)).toMatchObject({ code: 3, message: expect.stringMatching(/\w/) });
          else expect(status).toBe(200);
        },
      ),
      { numRuns: 150 },
    );
    expect(published).toBe(0);
  });

  it('rejects spans with invalid ids, times or wrong types without emitting anything', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileSpan, { minLength: 1, maxLength: 5 }), async (spans) => {
        const message = v1.ExportTraceServiceRequest!.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
        const { status } = await send(v1.ExportTraceServiceRequest!.encode(message).finish(), 'application/x-protobuf');
        expect([200, 400]).toContain(status);
      }),
      { numRuns: 100 },
    );
    const wrongTypes = [
      { resourceSpans: 'nope' },
      { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 5, spanId: [], startTimeUnixNano: {}, endTimeUnixNano: null }] }] }] },
      { resourceSpans: [{ scopeSpans: [{ spans: [null, 'x', 3] }] }] },
      [],
      'a string',
      null,
    ];
    for (const body of wrongTypes) {
      const { status, body: answer } = await send(JSON.stringify(body), 'application/json');
      expect([200, 400]).toContain(status);
      const parsed = JSON.parse(new TextDecoder().decode(answer)) as Record<string, unknown>;
      if (status === 400) expect(parsed).toMatchObject({ code: 3, message: expect.any(String) });
      else expect(parsed).toEqual(expect.objectContaining(Object.keys(parsed).length ? { partialSuccess: expect.anything() } : {}));
    }
    expect(published).toBe(0);
  });

  it('cuts huge strings and attribute counts and survives deep nesting, staying within its limits', async () => {
    const trace = 'ab'.repeat(16);
    const huge = 'x'.repeat(200_000);
    const attributes = Array.from({ length: 5_000 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v' } }));
    let nested: Record<string, unknown> = { stringValue: 'leaf' };
    for (let depth = 0; depth < 300; depth++) nested = { kvlistValue: { values: [{ key: 'n', value: nested }] } };
    const span = {
      traceId: trace,
      spanId: 'cd'.repeat(8),
      name: 'http',
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000100000000',
      attributes: [...attributes, { key: 'deep', value: nested }, { key: 'huge', value: { stringValue: huge.slice(0, 100_000) } }],
    };
    const big = await send(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), 'application/json');
    expect(big.status).toBe(413);
    const fits = await send(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: [...attributes.slice(0, 1_000), { key: 'deep', value: nested }] }] }] }] }), 'application/json');
    expect([200, 400]).toContain(fits.status);
    expect(published).toBe(0);
    const health = await fetch(`${receiver.url}/healthz`);
    expect(health.status).toBe(200);
    expect(receiver.stats.heldSpans.size).toBeLessThanOrEqual(1);
  });
});
