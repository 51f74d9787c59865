/**
 * Three receiver processes sharing one real Redis: traces routed by trace id
 * (as the Collector's loadbalancing exporter does) over OTLP/gRPC and sent over
 * OTLP/HTTP, one listener per receiver, a confirmation crossing instances, and a
 * receiver killed in the middle of a session.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AaepSignalProcessor } from '../../src/sources/AaepSignalProcessor.js';
import { subscribe } from '../../src/client/subscribe.js';
import type { AaepEvent } from '../../src/protocol/index.js';
import { agentTurn } from '../helpers/agentTurn.js';
import { confirmationReply } from '../helpers/harness.js';
import { startReceiverProcess, type ReceiverProcess } from '../helpers/receiverProcess.js';
import { payingAgent } from '../helpers/remoteAgent.js';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { connectSse, type SseClient, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/**
 * Sends each trace whole to one of the live receivers, chosen by its trace id —
 * what `loadbalancing` with `routing_key: traceID` does; taking a receiver out of
 * `members` remaps its traces, as a DNS change does.
 */
class TraceIdRoutingExporter implements SpanExporter {
  readonly routed = new Map<string, number>();
  private readonly exporters: SpanExporter[];

  constructor(
    receivers: ReceiverProcess[],
    readonly members: number[],
  ) {
    this.exporters = receivers.map((r) => new GrpcExporter({ url: `http://127.0.0.1:${r.grpcPort}`, timeoutMillis: 2_000 }));
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const byTarget = new Map<number, ReadableSpan[]>();
    for (const span of spans) {
      const traceId = span.spanContext().traceId;
      const target = this.members[parseInt(traceId.slice(-8), 16) % this.members.length]!;
      this.routed.set(traceId, target);
      byTarget.set(target, [...(byTarget.get(target) ?? []), span]);
    }
    void Promise.all([...byTarget].map(([target, batch]) => new Promise<ExportResult>((resolve) => this.exporters[target]!.export(batch, resolve)))).then((results) =>
      done(results.find((r) => r.code !== ExportResultCode.SUCCESS) ?? { code: ExportResultCode.SUCCESS }),
    );
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.exporters.map((e) => e.shutdown()));
  }
}

let redis: RedisServer;
let receivers: ReceiverProcess[];
let listeners: SseClient[];
const providers: BasicTracerProvider[] = [];
const agentShutdowns: Array<() => unknown> = [];
/** The aaep-otel/client subscriber on receiver 0, failing over to the others like a Service would. */
const heardByClient: AaepEvent[] = [];
const clientStatuses: string[] = [];
let client: ReturnType<typeof subscribe>;

beforeAll(async () => {
  redis = await startRedisServer();
  receivers = await Promise.all([0, 1, 2].map(() => startReceiverProcess(['--grpc-port', '0', '--hub-url', redis.url, '--hub-lease-ms', '1000', '--quiet-ms', '300'])));
  listeners = await Promise.all(receivers.map((r) => connectSse(`${r.url}/aaep/v1/events`)));
  const failover: typeof fetch = async (input, init) => {
    const wanted = new URL(input instanceof Request ? input.url : String(input));
    let lastError: unknown;
    for (const receiver of receivers) {
      wanted.host = new URL(receiver.url).host;
      try {
        return await fetch(wanted, init);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  };
  client = subscribe(receivers[0]!.url, { onEvent: (event) => heardByClient.push(event), onStatus: (status) => clientStatuses.push(status), fetch: failover, retry: { initialMs: 200, maxMs: 1_000 } });
}, 60_000);

afterAll(async () => {
  client?.close();
  for (const listener of listeners ?? []) listener.close();
  await Promise.all([...providers.map((p) => () => p.shutdown()), ...agentShutdowns].map((shutdown) => Promise.race([shutdown(), new Promise((resolve) => setTimeout(resolve, 2_000))])));
  await Promise.all((receivers ?? []).map((r) => r.kill('SIGKILL')));
  await redis?.stop();
});

function provider(...processors: SpanProcessor[]): BasicTracerProvider {
  const created = new BasicTracerProvider({ spanProcessors: processors });
  providers.push(created);
  return created;
}

const terminal = (e: WireEvent) => /^aaep:agent\.session\.(completed|errored|cancelled)$/.test(e.type);
const ended = (sessions: number) => (events: WireEvent[]) => events.filter(terminal).length >= sessions;

describe('three receivers sharing a hub on Redis', () => {
  it('serve every listener the same legal streams, whichever receiver translated a trace and over which protocol', async () => {
    const routing = new TraceIdRoutingExporter(receivers, [0, 1, 2]);
    const overGrpc = provider(new BatchSpanProcessor(routing, { scheduledDelayMillis: 20 }));
    // Until the split has sent traces to every receiver.
    let turns = 0;
    while (new Set(routing.routed.values()).size < 3 && turns < 30) {
      await agentTurn(overGrpc.getTracer('agent'));
      await overGrpc.forceFlush();
      turns++;
    }
    expect(new Set(routing.routed.values())).toEqual(new Set([0, 1, 2]));
    const overHttp = provider(new BatchSpanProcessor(new ProtoExporter({ url: `${receivers[2]!.url}/v1/traces` }), { scheduledDelayMillis: 20 }));
    await agentTurn(overHttp.getTracer('agent'));
    await overHttp.forceFlush();

    for (const listener of listeners) await listener.waitFor(ended(turns + 1), 20_000);
    expectLegalStream(listeners[0]!.events);
    expect(listeners[0]!.events.filter(terminal)).toHaveLength(turns + 1);
    expect(listeners[1]!.events).toEqual(listeners[0]!.events);
    expect(listeners[2]!.events).toEqual(listeners[0]!.events);
  }, 60_000);

  it('carry a confirmation asked through A and answered on C to the agent polling B, once', async () => {
    const [a, b, c] = receivers as [ReceiverProcess, ReceiverProcess, ReceiverProcess];
    const onC = listeners[2]!;
    const before = onC.events.length;
    const decided = payingAgent({
      exporter: () => new GrpcExporter({ url: `http://127.0.0.1:${a.grpcPort}` }),
      pollAt: b.url,
      cleanups: agentShutdowns,
      toolAttributes: { 'aaep.tool.irreversible': true, 'aaep.tool.risk_level': 'high' },
    });
    await onC.waitFor((events) => events.slice(before).some((e) => e.type === 'aaep:agent.awaiting.confirmation'), 20_000);
    const question = onC.events.slice(before).find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;
    const post = (at: ReceiverProcess, decision: string) =>
      fetch(`${at.url}/aaep/v1/replies`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(confirmationReply(String(question.reply_token), decision)) });
    expect((await post(c, 'accept')).status).toBe(204);
    // C answers once its claim is in Redis: a reply after that answer, anywhere, changes nothing.
    expect((await post(b, 'reject')).status).toBe(204);
    expect(await decided).toMatchObject({ decision: 'accept', by: 'user' });
    for (const listener of listeners) await listener.waitFor((events) => events.slice(before).some(terminal), 20_000);
    const session = onC.events.slice(before).filter((e) => e.session_id === question.session_id);
    expectLegalStream(session);
    expect(session.filter((e) => e.type === 'aaep:agent.tool.invoked' && e.tool === 'transfer')).toHaveLength(1);
    expect(listeners[0]!.events).toEqual(onC.events);
  }, 60_000);

  it('when a receiver is killed mid-session: its listener resumes on another with nothing lost or doubled, and the session ends once', async () => {
    const routing = new TraceIdRoutingExporter(receivers, [0]);
    const agent = provider(new BatchSpanProcessor(routing, { scheduledDelayMillis: 20 }), new AaepSignalProcessor({ exporter: routing, delayMs: 10 }));
    const tracer = agent.getTracer('agent');
    const onB = listeners[1]!;
    const before = onB.events.length;
    let sessionId = '';
    let releaseTool!: () => void;
    const toolMayEnd = new Promise<void>((resolve) => (releaseTool = resolve));
    const turn = tracer.startActiveSpan('invoke_agent long job', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'aaep.session.request': 'Crunch the numbers' } }, async (session) => {
      await tracer.startActiveSpan('execute_tool crunch', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'crunch' } }, async (tool) => {
        await toolMayEnd;
        tool.end();
      });
      session.end();
    });
    await onB.waitFor((events) => events.slice(before).some((e) => e.type === 'aaep:agent.tool.invoked' && e.tool === 'crunch'), 20_000);
    sessionId = onB.events.slice(before).find((e) => e.type === 'aaep:agent.tool.invoked')!.session_id;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const heardBeforeKill = heardByClient.length;
    expect(heardByClient.at(-1)?.session_id).toBe(sessionId);

    // The raw listener on the killed receiver loses its connection: that is the point.
    listeners[0]!.ended.catch(() => undefined);
    await receivers[0]!.kill('SIGKILL');
    // The rest of the trace goes to another receiver, as after a DNS change; it was not the session's owner.
    routing.members.splice(0, 1, 1);
    releaseTool();
    await turn;
    await agent.forceFlush();

    for (const listener of listeners.slice(1)) await listener.waitFor(sessionDoneFor(sessionId), 20_000);
    await waitUntil(() => heardByClient.some((e) => e.session_id === sessionId && terminal(e as WireEvent)));
    await new Promise((resolve) => setTimeout(resolve, 500));

    const session = onB.events.filter((e) => e.session_id === sessionId);
    expectLegalStream(session);
    expect(session.filter(terminal)).toEqual([expect.objectContaining({ type: 'aaep:agent.session.errored' })]);
    expect(session.filter((e) => e.type === 'aaep:agent.tool.completed')).toEqual([expect.objectContaining({ tool: 'crunch', status: 'timeout' })]);
    expect(listeners[2]!.events).toEqual(onB.events);
    // The client's listener: everything B's listener heard, once, in order, across the failover.
    expect(heardByClient.length).toBeGreaterThan(heardBeforeKill);
    expect(heardByClient.map((e) => e.event_id)).toEqual(onB.events.map((e) => e.event_id));
    expect(clientStatuses).toContain('reconnecting');
    expect(clientStatuses.at(-1)).toBe('open');
    // And the server side of the resume: from the last id heard before the kill, exactly the rest.
    const resumed = await connectSse(`${receivers[2]!.url}/aaep/v1/events`, { lastEventId: heardByClient[heardBeforeKill - 1]!.event_id });
    await resumed.waitFor((events) => events.length === heardByClient.length - heardBeforeKill);
    await new Promise((resolve) => setTimeout(resolve, 200));
    resumed.close();
    expect(resumed.ids).toEqual(heardByClient.slice(heardBeforeKill).map((e) => e.event_id));
  }, 60_000);
});

function sessionDoneFor(sessionId: string) {
  return (events: WireEvent[]) => events.some((e) => e.session_id === sessionId && terminal(e));
}

async function waitUntil(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
