/** A real in-process setup: SDK tracer provider, AaepSpanProcessor, HTTP server on port 0, SSE client. */
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { AaepWorkerSpanProcessor } from '../../src/sources/AaepWorkerSpanProcessor.js';
import type { WorkerServer, WorkerServerOptions } from '../../src/sources/worker/WorkerProtocol.js';
import { startAaepServer, type AaepServer, type AaepServerOptions } from '../../src/http/startAaepServer.js';
import { connectSse, type SseClient } from './sseClient.js';

export interface WorkerHarness extends Omit<Harness, 'aaep' | 'server'> {
  readonly aaep: AaepWorkerSpanProcessor;
  readonly server: WorkerServer & { close(): Promise<void> };
}

export interface Harness {
  readonly aaep: AaepSpanProcessor;
  readonly tracer: Tracer;
  readonly server: AaepServer;
  readonly client: SseClient;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

// Spans started inside startActiveSpan callbacks must see their parent, as under NodeSDK.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

export async function startHarness(options: Omit<AaepServerOptions, 'hub'> = {}): Promise<Harness> {
  const aaep = new AaepSpanProcessor({ agentId: 'test-agent', agentName: 'Test agent' });
  const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
  const server = await startAaepServer({ hub: aaep.hub, port: 0, ...options });
  return connectHarness(aaep, provider, server, options.token);
}

/** The same setup with translation, hub and server in the processor's worker thread. */
export async function startWorkerHarness(options: Omit<WorkerServerOptions, 'port'> = {}): Promise<WorkerHarness> {
  const aaep = new AaepWorkerSpanProcessor({ agentId: 'test-agent', agentName: 'Test agent', server: { port: 0, ...options } });
  const provider = new BasicTracerProvider({ spanProcessors: [aaep] });
  const server = await aaep.server;
  return connectHarness(aaep, provider, { ...server, close: async () => {} }, options.token);
}

export type HarnessMode = 'in-thread' | 'worker';

/** A harness of either kind, for tests that hold for both. */
export function startHarnessIn(mode: HarnessMode, options: Omit<WorkerServerOptions, 'port'> = {}): Promise<Harness | WorkerHarness> {
  return mode === 'worker' ? startWorkerHarness(options) : startHarness(options);
}

async function connectHarness<P extends AaepSpanProcessor | AaepWorkerSpanProcessor, S extends { url: string; close(): Promise<void> }>(
  aaep: P,
  provider: BasicTracerProvider,
  server: S,
  token: string | undefined,
): Promise<{ aaep: P; server: S } & Omit<Harness, 'aaep' | 'server'>> {
  const auth: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  const client = await connectSse(`${server.url}/aaep/v1/events`, { headers: auth });
  return {
    aaep,
    tracer: provider.getTracer('test'),
    server,
    client,
    post: (path, body, headers = auth) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async close() {
      client.close();
      await provider.shutdown();
      await server.close();
    },
  };
}

export function confirmationReply(token: string, decision: string, extra: Record<string, unknown> = {}) {
  return { type: 'confirmation.reply', reply_token: token, decision, subscription_id: 'sub_test1', timestamp: new Date().toISOString(), ...extra };
}

export function clarificationReply(token: string, response: unknown, extra: Record<string, unknown> = {}) {
  return { type: 'clarification.reply', reply_token: token, response, subscription_id: 'sub_test1', timestamp: new Date().toISOString(), ...extra };
}
