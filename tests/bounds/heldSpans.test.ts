import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { readReceiverConfig } from '../../collector/receiverConfig.js';
import { startReceiver } from '../../collector/startReceiver.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function receiverWith(args: string[]) {
  const config = readReceiverConfig(['--port', '0', '--quiet-ms', '60000', ...args], {});
  if (config === 'help') throw new Error('unreachable');
  const logs: Array<{ message: string; fields: Record<string, unknown> }> = [];
  const receiver = await startReceiver(config, (_level, message, fields = {}) => logs.push({ message, fields }));
  cleanups.push(() => receiver.close());
  return { receiver, logs };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const NOW = BigInt(Date.now()) * 1_000_000n;

/** Finished spans of one trace whose parent never arrives, as an exporter would send them. */
function orphans(traceId: string, from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    traceId,
    spanId: `d${hex(from + i, 15)}`,
    parentSpanId: 'ffffffffffffffff',
    name: 'execute_tool lookup',
    kind: 1,
    startTimeUnixNano: String(NOW),
    endTimeUnixNano: String(NOW + 1_000_000n),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
      { key: 'gen_ai.tool.name', value: { stringValue: 'lookup' } },
    ],
    status: {},
  }));
}

async function post(url: string, spans: unknown[]) {
  const response = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'attacker' }, spans }] }] }),
  });
  return { status: response.status, body: (await response.json()) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } } };
}

/** Another exporter: a real SDK and OTLP exporter sending one ordinary agent turn. */
async function normalAgentTurn(url: string): Promise<void> {
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }), { scheduledDelayMillis: 10 })],
  });
  const tracer = provider.getTracer('agent');
  await tracer.startActiveSpan('invoke_agent helper', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': 'Check the weather' } }, async (session) => {
    await tracer.startActiveSpan('execute_tool get_weather', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' } }, async (tool) => {
      tool.end();
    });
    session.end();
  });
  await provider.shutdown();
}

const TRACE = 'e0000000000000000000000000000001';

describe('spans held for a parent at the receiver', () => {
  it("refuses one trace's spans beyond its bound in partial_success while another exporter's trace is translated and heard", async () => {
    const { receiver, logs } = await receiverWith(['--max-held-spans-per-trace', '1000']);
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());

    const first = await post(receiver.url, orphans(TRACE, 0, 800));
    expect(first).toEqual({ status: 200, body: {} });
    const second = await post(receiver.url, orphans(TRACE, 800, 800));
    expect(second.status).toBe(200);
    expect(second.body.partialSuccess?.rejectedSpans).toBe('600');
    expect(second.body.partialSuccess?.errorMessage).toContain('AAEP_MAX_HELD_SPANS_PER_TRACE');
    const third = await post(receiver.url, orphans(TRACE, 1600, 500));
    expect(third.body.partialSuccess?.rejectedSpans).toBe('500');

    await normalAgentTurn(receiver.url);
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
    expect(client.events.map((event) => event.type)).toContain('aaep:agent.tool.invoked');

    const ready = (await (await fetch(`${receiver.url}/readyz`)).json()) as { heldSpans: Record<string, number> };
    expect(ready.heldSpans).toEqual({ size: 1000, limit: 200_000, traces: 1, perTrace: 1000 });
    // Logged once for the offending trace, not once per refused span or export.
    const reports = logs.filter((line) => line.fields.limit === 'heldSpansPerTrace');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.fields.trace_id).toBe(TRACE);
  });

  it('refuses spans beyond the total bound while spans that can be placed at once still are', async () => {
    const { receiver, logs } = await receiverWith(['--max-held-spans-per-trace', '1000', '--max-held-spans', '1500']);
    const client = await connectSse(`${receiver.url}/aaep/v1/events`);
    cleanups.push(() => client.close());

    expect((await post(receiver.url, orphans(TRACE, 0, 1000))).body).toEqual({});
    const other = await post(receiver.url, orphans('e0000000000000000000000000000002', 0, 1000));
    expect(other.body.partialSuccess?.rejectedSpans).toBe('500');
    expect(other.body.partialSuccess?.errorMessage).toContain('AAEP_MAX_HELD_SPANS)');
    expect(receiver.stats.heldSpans).toMatchObject({ size: 1500, limit: 1500, traces: 2 });

    // A whole trace in one export (the usual case) needs no holding.
    await normalAgentTurn(receiver.url);
    await client.waitFor(sessionDone());
    expectLegalStream(client.events);
    expect(logs.filter((line) => line.fields.limit === 'heldSpans')).toHaveLength(1);
  });
});
