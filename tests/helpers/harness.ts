/** A real in-process setup: SDK tracer provider, AaepSpanProcessor, HTTP server on port 0, SSE client. */
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AaepSpanProcessor } from '../../src/sources/AaepSpanProcessor.js';
import { startAaepServer, type AaepServer, type AaepServerOptions } from '../../src/http/startAaepServer.js';
import { connectSse, type SseClient } from './sseClient.js';

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
  const auth: Record<string, string> = options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` };
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
