/**
 * A receiver with a listener, and an agent in this process that exports its spans to the
 * receiver and its live signals with AaepSignalProcessor, as a remote agent does.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Receiver } from '../../collector/startReceiver.js';
import { AaepSignalProcessor } from '../../src/index.js';
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
