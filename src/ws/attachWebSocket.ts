import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ROOT_CONTEXT, context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { readEnvNumber } from '../env.js';
import { splitEventFrames } from '../http/splitEventFrames.js';
import { SUBSCRIPTION_ID_HEADER, waitingSubscription } from '../http/subscriptionEndpoints.js';
import { WEBSOCKET_PATH } from '../http/producerManifest.js';
import { SESSION_ID_PATTERN, SubscriberHandshakeMessageSchema } from '../protocol/index.js';
import type { ChannelEnd, ChannelTransport } from '../hub/SubscriptionChannel.js';
import type { SubscriptionRegistry } from '../hub/SubscriptionRegistry.js';
import type { Audience } from '../hub/Subscription.js';
import { listenerOf } from '../http/authenticate.js';
import { expireAt, type Listener } from '../http/ListenerAuth.js';

/** The subprotocol the binding negotiates (spec appendix B.2.1). */
export const AAEP_SUBPROTOCOL = 'aaep.v1';
/**
 * Browsers cannot set headers on a WebSocket: a subprotocol `aaep.bearer.<token>` next to
 * `aaep.v1` carries the bearer token instead (or the `aaep_token` cookie does). It is never
 * echoed back.
 */
export const TOKEN_SUBPROTOCOL_PREFIX = 'aaep.bearer.';

/** AAEP close codes (spec appendix B.2.6). */
export const CLOSE_CODES = {
  closed: 4000,
  rejected: 4001,
  /** Appendix B.2: authentication failed (here: the listener's credential expired). */
  authentication: 4002,
  violation: 4004,
  bySubscriber: 4005,
} as const;

const CLOSE_FOR: Record<ChannelEnd, readonly [number, string]> = {
  shutdown: [CLOSE_CODES.closed, 'producer shutting down'],
  rejected: [CLOSE_CODES.rejected, 'subscription rejected'],
  closed: [CLOSE_CODES.bySubscriber, 'subscription closed'],
  overflow: [CLOSE_CODES.violation, 'subscriber fell too far behind; reconnect with last_event_id'],
};

/** Bytes queued on a socket beyond which the hub waits for it, as for an SSE response. */
const HIGH_WATER_BYTES = 1024 * 1024;
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Messages a socket may have waiting for their turn; a client that floods is cut off. */
export const DEFAULT_MAX_QUEUED_MESSAGES = 64;

/** What a socket's text frames other than handshake messages are handed to. */
export interface WebSocketMessageHandler {
  /** Returns false for a message it does not recognise or that is invalid. */
  (message: unknown, listener: Listener): Promise<{ ok: boolean; answer?: unknown }>;
}

export interface WebSocketBindingOptions {
  readonly subscriptions: SubscriptionRegistry;
  /** The HTTP endpoints' authentication, run on the upgrade request (it sets the listener: see listenerOf). */
  readonly guard: RequestHandler;
  /** Whose sessions a listener hears (undefined: everyone's). */
  readonly audienceOf: (listener: Listener) => Audience | undefined;
  /** Origins allowed besides the server's own (the CORS list). */
  readonly allowedOrigins: readonly string[];
  readonly keepAliveMs: number;
  /** Replies and user input, as `POST /aaep/v1/messages` takes them. */
  readonly onMessage: WebSocketMessageHandler;
  /** Else `AAEP_WS_QUEUED_MESSAGES`, else 64. */
  readonly maxQueuedMessages?: number;
}

export interface WebSocketBinding {
  /** Closes every socket (4000) and stops pinging. Idempotent. */
  close(): void;
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), 1_000).unref();
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return header === undefined ? [] : header.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

function sameOrAllowedOrigin(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  // Non-browser clients send no Origin; a browser always does, and it cannot be forged there.
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * The WebSocket binding (spec appendix B.2) at `/aaep/v1/ws`, on an HTTP server: events,
 * handshake answers, replies and user input on one socket, the same subscriptions and hub
 * as the SSE stream, and the same authentication (the router's guard runs on the upgrade
 * request). Cross-site upgrades are refused: browsers send cookies with them and do not
 * apply CORS, so an Origin that is neither this server nor an allowed one gets 403.
 */
export function attachWebSocket(server: Server, options: WebSocketBindingOptions): WebSocketBinding {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(AAEP_SUBPROTOCOL) ? AAEP_SUBPROTOCOL : false),
  });
  const alive = new WeakMap<WebSocket, boolean>();
  const pending = new WeakMap<IncomingMessage, { socket: Duplex; head: Buffer }>();
  let closed = false;
  const maxQueued = Math.max(1, Math.floor(options.maxQueuedMessages ?? readEnvNumber('AAEP_WS_QUEUED_MESSAGES') ?? DEFAULT_MAX_QUEUED_MESSAGES));

  const auth = express();
  auth.disable('x-powered-by');
  auth.get(WEBSOCKET_PATH, options.guard, (req: Request, res: Response) => {
    const upgrade = pending.get(req);
    if (upgrade === undefined) return;
    const named = waitingSubscription(req, res, options.subscriptions, 'socket');
    if (named === null) return;
    res.detachSocket(upgrade.socket as never);
    const id = named ?? options.subscriptions.newId();
    wss.once('headers', (headers) => headers.push(`${SUBSCRIPTION_ID_HEADER}: ${id}`));
    const listener = listenerOf(res);
    wss.handleUpgrade(req, upgrade.socket, upgrade.head, (ws) => connected(ws, req, id, listener));
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== WEBSOCKET_PATH || closed) return reject(socket, 404, 'Not Found');
    if (!sameOrAllowedOrigin(req, options.allowedOrigins)) return reject(socket, 403, 'Forbidden');
    const protocols = offeredProtocols(req);
    if (!protocols.includes(AAEP_SUBPROTOCOL)) return reject(socket, 400, 'Bad Request');
    const token = protocols.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
    if (token !== undefined && req.headers.authorization === undefined) {
      req.headers.authorization = `Bearer ${token.slice(TOKEN_SUBPROTOCOL_PREFIX.length)}`;
    }
    pending.set(req, { socket, head });
    const res = new ServerResponse(req);
    res.assignSocket(socket as never);
    res.on('finish', () => socket.destroy());
    context.with(suppressTracing(ROOT_CONTEXT), () => auth(req as Request, res as Response));
  };
  server.on('upgrade', onUpgrade);

  const keepAlive = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.keepAliveMs);
  keepAlive.unref();

  function connected(ws: WebSocket, req: IncomingMessage, id: string, listener: Listener): void {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const sessionId = query.get('session_id') ?? undefined;
    if (sessionId !== undefined && !SESSION_ID_PATTERN.test(sessionId)) {
      ws.close(CLOSE_CODES.violation, 'session_id must look like sess_<letters and digits>');
      return;
    }
    const lastEventId = query.get('last_event_id') ?? undefined;
    let waitingForDrain = false;
    const transport: ChannelTransport = {
      kind: 'websocket',
      write(frames) {
        if (ws.readyState !== ws.OPEN) return true;
        for (const { json } of splitEventFrames(frames)) if (json !== '') ws.send(json);
        if (ws.bufferedAmount < HIGH_WATER_BYTES) return true;
        if (!waitingForDrain) {
          waitingForDrain = true;
          // Sends complete in order: once this empty ping is out, so is everything before it.
          ws.ping(undefined, undefined, () => {
            waitingForDrain = false;
            subscription.resume();
            channel.drained();
          });
        }
        return false;
      },
      send(message) {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      end(reason) {
        const [code, text] = CLOSE_FOR[reason];
        if (ws.readyState === ws.OPEN) ws.close(code, text);
        setTimeout(() => ws.terminate(), 1_000).unref();
      },
    };
    const { channel, subscription } = options.subscriptions.open(id, transport, { sessionId, lastEventId, audience: options.audienceOf(listener) });
    // One message at a time, in order, so a renegotiation never overtakes the request.
    let queue = Promise.resolve();
    let queued = 0;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(CLOSE_CODES.violation, 'AAEP messages are text frames');
        return;
      }
      if (++queued > maxQueued) {
        if (ws.readyState === ws.OPEN) {
          ws.close(CLOSE_CODES.violation, 'too many messages waiting');
          setTimeout(() => ws.terminate(), 1_000).unref();
        }
        return;
      }
      queue = queue
        .then(() => handle(data.toString()))
        .catch((error: unknown) => diag.error('aaep-otel: a WebSocket message failed', error))
        .finally(() => queued--);
    });
    const expiry = expireAt(listener, () => ws.close(CLOSE_CODES.authentication, 'credential expired'));
    ws.on('close', () => {
      if (expiry !== undefined) clearTimeout(expiry);
      subscription.unsubscribe();
      options.subscriptions.remove(channel);
    });
    ws.on('error', () => ws.terminate());

    async function handle(text: string): Promise<void> {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        message = undefined;
      }
      const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
      if (typeof type === 'string' && type.startsWith('subscription.')) {
        const parsed = SubscriberHandshakeMessageSchema.safeParse(message);
        if (!parsed.success) return invalid('Not a valid subscription.request, subscription.renegotiate or subscription.close message.');
        if (parsed.data.type !== 'subscription.request' && parsed.data.subscription_id !== channel.id) {
          return invalid('subscription_id is not this socket\'s subscription.');
        }
        await channel.handle(parsed.data);
        return;
      }
      const result = await options.onMessage(message, listener);
      if (!result.ok) return invalid('Expected a subscription message, a reply, or {"kind":"user_input","text":"…"}.');
      if (result.answer !== undefined && ws.readyState === ws.OPEN) ws.send(JSON.stringify(result.answer));
    }

    function invalid(text: string): void {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ error: 'invalid_message', message: text }));
    }
  }

  return {
    close() {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) {
        ws.close(CLOSE_CODES.closed, 'producer shutting down');
        setTimeout(() => ws.terminate(), 1_000).unref();
      }
      wss.close();
    },
  };
}
