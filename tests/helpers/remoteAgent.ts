/**
 * A receiver with a listener, and an agent in this process that exports its spans to the
 * receiver and its live signals with AaepSignalProcessor, as a remote agent does.
 */
import type { Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Receiver } from '../../collector/startReceiver.js';
import { AaepSignalProcessor, confirm, type ConfirmDecision } from '../../src/index.js';
import { startTestReceiver } from './receiver.js';
import { connectSse, type SseClient } from './sseClient.js';

export async function startRemoteAgent(cleanups: Array<() => unknown>): Promise<{ receiver: Receiver; client: SseClient; provider: BasicTracerProvider }> {
  const receiver = await startTestReceiver();
  cleanups.push(() => receiver.close());
  const client = await connectSse(`${receiver.url}/aaep/v1/events`);
  cleanups.push(() => client.close());
  const exporter = () => new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` });
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter(), { scheduledDelayMillis: 20 }), new AaepSignalProcessor({ exporter: exporter(), receiverUrl: receiver.url })],
  });
  cleanups.push(() => provider.shutdown());
  return { receiver, client, provider };
}

/**
 * An agent in "another process" that pays the rent once the user confirms: spans exported
 * to `exportTo` with the protobuf exporter (with the ingest token, if any) or with
 * `exporter`, answers polled at `pollAt`.
 */
export function payingAgent(options: {
  readonly exportTo?: string;
  readonly exporter?: () => SpanExporter;
  readonly pollAt: string;
  readonly ingestToken?: string;
  readonly cleanups: Array<() => unknown>;
  readonly timeoutSeconds?: number;
  readonly sessionAttributes?: Attributes;
  readonly toolAttributes?: Attributes;
}): Promise<ConfirmDecision> {
  const headers: Record<string, string> = options.ingestToken === undefined ? {} : { Authorization: `Bearer ${options.ingestToken}` };
  const exporter = options.exporter ?? (() => new ProtoExporter({ url: `${options.exportTo}/v1/traces`, headers }));
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(exporter(), { scheduledDelayMillis: 20 }),
      new AaepSignalProcessor({ exporter: exporter(), receiverUrl: options.pollAt, token: options.ingestToken, delayMs: 10 }),
    ],
  });
  options.cleanups.push(() => provider.shutdown());
  const tracer = provider.getTracer('agent');
  const session = { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': 'Pay the rent', ...options.sessionAttributes };
  const tool = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer', ...options.toolAttributes };
  return tracer.startActiveSpan('invoke_agent pay', { attributes: session }, async (sessionSpan) => {
    const decision = await tracer.startActiveSpan('execute_tool transfer', { attributes: tool }, async (toolSpan) => {
      const decided = await confirm(toolSpan, { action: 'Pay 900 NOK', consequence: 'The money leaves now.', timeoutSeconds: options.timeoutSeconds ?? 30 });
      toolSpan.end();
      return decided;
    });
    sessionSpan.end();
    await provider.forceFlush();
    return decision;
  });
}
