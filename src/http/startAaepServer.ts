import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import express from 'express';
import type { EventHub } from '../hub/EventHub.js';
import { readEnvNumber, readEnvString } from '../env.js';
import { createAaepRouter, type AaepRouterOptions } from './createAaepRouter.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, listen } from './listen.js';
import { ListenerAuth } from './ListenerAuth.js';

export interface AaepServerOptions extends Omit<AaepRouterOptions, 'hub'> {
  readonly hub: EventHub;
  /** Port to listen on; 0 picks a free one. Else `AAEP_PORT`, else 4319. */
  readonly port?: number;
  /** Interface to bind. Else `AAEP_HOST`, else 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Time a client has to send its request headers. Else `AAEP_HEADERS_TIMEOUT_MS`, else 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time a client has to send its whole request (a stream's response is not limited). Else `AAEP_REQUEST_TIMEOUT_MS`, else 30 s. */
  readonly requestTimeoutMs?: number;
}

export interface AaepServer {
  /** Base URL, e.g. http://127.0.0.1:4319 */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  /** Whether the endpoints require the bearer token. */
  readonly authenticated: boolean;
  /** One line saying who can reach the server, for the application to print at start-up. */
  readonly notice: string;
  /** Ends open streams and stops listening. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_PORT = 4319;

/** A one-call HTTP server for the AAEP endpoints, for users without an express app. */
export async function startAaepServer(options: AaepServerOptions): Promise<AaepServer> {
  const port = options.port ?? readEnvNumber('AAEP_PORT') ?? DEFAULT_PORT;
  const host = options.host ?? readEnvString('AAEP_HOST') ?? '127.0.0.1';
  const authenticated = new ListenerAuth(options.token ?? readEnvString('AAEP_TOKEN'), options.listeners).required;
  const app = express();
  app.disable('x-powered-by');
  const router = createAaepRouter(options);
  app.use(router);

  const server = await listen(app, {
    port,
    host,
    headersTimeoutMs: options.headersTimeoutMs ?? readEnvNumber('AAEP_HEADERS_TIMEOUT_MS') ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? readEnvNumber('AAEP_REQUEST_TIMEOUT_MS') ?? DEFAULT_REQUEST_TIMEOUT_MS,
  });
  router.attachWebSocket(server);
  // Requests in flight: close() lets them finish, then drops connections that carry none.
  let inFlight = 0;
  let closeRequested = false;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (closeRequested && inFlight === 0) server.closeAllConnections();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const url = `http://${urlHost}:${address.port}`;
  const loopback = /^(127\.|::1$|::ffff:127\.)/.test(address.address);
  const notice = authenticated
    ? `AAEP endpoints at ${url} require a listener credential (AAEP_TOKEN, AAEP_LISTENER_TOKENS or a JWT).`
    : loopback
      ? `AAEP endpoints at ${url} are open to this machine only; set AAEP_TOKEN before serving other hosts.`
      : `AAEP endpoints at ${url} have no token and are reachable from other hosts: anyone who can connect can answer confirmations. Set AAEP_TOKEN.`;
  if (!authenticated && !loopback) diag.warn(`aaep-otel: ${notice}`);
  else diag.info(`aaep-otel: ${notice}`);

  return {
    url,
    port: address.port,
    host: address.address,
    server,
    authenticated,
    notice,
    close() {
      closing ??= new Promise<void>((resolve) => {
        closeRequested = true;
        router.close();
        server.close(() => resolve());
        if (inFlight === 0) server.closeAllConnections();
        else server.closeIdleConnections();
      });
      return closing;
    },
  };
}
