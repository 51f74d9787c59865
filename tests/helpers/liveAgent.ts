/**
 * An agent process for the "heard live" tests: the real SDK tracer provider with
 * AaepSpanProcessor, an in-memory exporter to read the spans' own times, a real
 * AAEP server on port 0 and a real SSE subscriber.
 */
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Tracer } from '@opentelemetry/api';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { startAaepServer, type AaepServer } from '../../src/http/startAaepServer.js';
import { collectEvents } from './hubEvents.js';
import { startTestReceiver } from './receiver.js';
import { connectSse, sessionDone, type SseClient, type WireEvent } from './sseClient.js';

export interface LiveAgent {
  readonly aaep: AaepSpanProcessor;
  readonly provider: BasicTracerProvider;
  readonly tracer: Tracer;
  readonly client: SseClient;
  /** What the hub published, in order (to compare with a receiver's stream). */
  readonly published: WireEvent[];
  /** Finished spans, as exported. */
  spans(): ReadableSpan[];
  /** Resolves with the wall-clock time the subscriber received the first event matching `predicate`. */
  arrivalOf(predicate: (event: WireEvent) => boolean): Promise<number>;
  close(): Promise<void>;
}

export async function startLiveAgent(options: { agentId?: string; agentName?: string; extra?: SpanProcessor[] } = {}): Promise<LiveAgent> {
  // A receiver's producer has no configured name: the spans name the agent.
  const agentName = 'agentName' in options ? options.agentName : 'Travel assistant';
  const aaep = new AaepSpanProcessor({ agentId: options.agentId ?? 'live-agent', ...(agentName !== undefined && { agentName }) });
  const published = collectEvents(aaep.hub);
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory), ...(options.extra ?? []), aaep] });
  const server: AaepServer = await startAaepServer({ hub: aaep.hub, port: 0 });
  const client = await connectSse(`${server.url}/aaep/v1/events`);
  return {
    aaep,
    provider,
    tracer: provider.getTracer('live-agent'),
    client,
    published,
    spans: () => memory.getFinishedSpans(),
    arrivalOf: (predicate) => client.waitFor((events) => events.some(predicate), 20_000).then(() => Date.now()),
    async close() {
      client.close();
      await provider.shutdown();
      await server.close();
    },
  };
}

export function endTimeOf(span: ReadableSpan): number {
  return hrTimeToMilliseconds(span.endTime);
}

export function startTimeOf(span: ReadableSpan): number {
  return hrTimeToMilliseconds(span.startTime);
}

/** Each output's text, by output id, and how many `complete: true` chunks it had. */
export function outputsOf(events: readonly WireEvent[]): Map<string, { text: string; completes: number }> {
  const outputs = new Map<string, { text: string; completes: number }>();
  for (const event of events) {
    if (event.type !== 'aaep:agent.output.streaming') continue;
    const output = outputs.get(String(event.output_id)) ?? { text: '', completes: 0 };
    output.text += String(event.chunk);
    if (event.complete === true) output.completes++;
    outputs.set(String(event.output_id), output);
  }
  return outputs;
}

/**
 * What a subscriber of the real receiver hears of one turn, next to what the agent's
 * own hub published: `turn` starts an agent exporting to the given receiver URL and
 * runs it. The receiver waits long for parents, as a turn streams for seconds.
 */
export async function heardThroughReceiver(turn: (receiverUrl: string) => Promise<LiveAgent>): Promise<{ remote: WireEvent[]; published: WireEvent[] }> {
  const receiver = await startTestReceiver({ quietMs: 10_000 });
  const remote = await connectSse(`${receiver.url}/aaep/v1/events`);
  try {
    const agent = await turn(receiver.url);
    await agent.provider.forceFlush();
    await remote.waitFor(sessionDone());
    return { remote: remote.events, published: agent.published };
  } finally {
    remote.close();
    await receiver.close();
  }
}
