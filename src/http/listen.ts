import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/** Time a client has to send its request headers. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Time a client has to send its whole request, headers and body; a response may stream for longer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Starts an HTTP server with header and request deadlines, so a client that sends
 * slowly is answered 408 and disconnected instead of holding a connection. Node
 * checks the deadlines on an interval; it is kept well under the shorter one.
 */
export async function listen(app: RequestListener, options: ListenOptions): Promise<Server> {
  if (options.headersTimeoutMs > options.requestTimeoutMs) {
    throw new RangeError(`the headers timeout (${options.headersTimeoutMs} ms) must not exceed the request timeout (${options.requestTimeoutMs} ms)`);
  }
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(options.headersTimeoutMs / 4))),
    },
    app,
  );
  // Our own sockets inherit this context, so the user's HTTP instrumentation leaves them alone.
  context.with(suppressTracing(ROOT_CONTEXT), () => server.listen(options.port, options.host));
  await once(server, 'listening');
  return server;
}
