import type { ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import cors from 'cors';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { readEnvBoolean, readEnvString } from '../env.js';
import type { EventHub } from '../hub/EventHub.js';
import type { KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import { attachWebSocket, type WebSocketBinding } from '../ws/attachWebSocket.js';
import { ManifestSigner } from '../hub/ManifestSigner.js';
import { ReceivedReplySchema, ReplySchema, type Producer } from '../protocol/index.js';
import type { ReplyRegistry } from '../agent/ReplyRegistry.js';
import { SubscriptionRegistry } from '../hub/SubscriptionRegistry.js';
import { AAEP_VERSION } from '../translate/index.js';
import { authenticateListener, listenerOf } from './authenticate.js';
import { ListenerAuth, expireAt, type Listener, type ListenerOptions } from './ListenerAuth.js';
import { refuseCrossSite } from './refuseCrossSite.js';
import { requireJson } from './requireJson.js';
import { CONFORMANCE_LEVELS, JWKS_PATH, MANIFEST_JWS_PATH, SUBSCRIPTIONS_PATH, producerManifest } from './producerManifest.js';
import { PHRASE_LANGUAGES } from '../translate/messages/catalog.js';
import { HANDSHAKE_TYPES, SUBSCRIPTION_ID_HEADER, postHandshake, sseTransport, waitingSubscription } from './subscriptionEndpoints.js';
import { SseSink, endStream } from './SseSink.js';
import { sseComment, sseRetry } from './sseFrame.js';
import { createUiRouter } from './createUiRouter.js';
import { UserInputRejected } from './UserInputRejected.js';
import { LimitEpisode, warnLimit, type LimitReached } from '../limits.js';

export const EVENTS_PATH = '/aaep/v1/events';
export const REPLIES_PATH = '/aaep/v1/replies';
export const MESSAGES_PATH = '/aaep/v1/messages';
export const SESSIONS_PATH = '/sessions';
export const MANIFEST_PATH = '/.well-known/aaep-manifest.json';

/**
 * Starts a session for a user's message and returns its `session_id` (sess_…) at
 * once, without waiting for the session's work. To turn the message away (too many
 * sessions running), throw a `UserInputRejected`: the sender gets 429 with Retry-After.
 */
/** Who sent a message: its principal, when the sender is one (not the operator). */
export interface UserInputSender {
  readonly principal: string | undefined;
}

/** Starts a session for a message; the session should belong to `from.principal` (`enduser.id` on its span). */
export type UserInputHandler = (text: string, from: UserInputSender) => string | Promise<string>;

export interface AaepRouterOptions {
  readonly hub: EventHub;
  /** Who the manifest says is producing; the processor's producer by default. */
  readonly producer?: Producer;
  /** Comment sent on idle streams so proxies keep them open. Default 15 s. */
  readonly keepAliveMs?: number;
  /** Reconnect delay suggested to EventSource clients. Default 2 s. */
  readonly retryMs?: number;
  /** Where replies go. Default: the registry of the processor that made the hub. */
  readonly replies?: ReplyRegistry;
  /**
   * Takes `{"kind":"user_input"}` messages and `POST /sessions`; without it they get 501.
   * It may throw `UserInputRejected` to answer 429 (busy) instead of 202.
   */
  readonly onUserInput?: UserInputHandler;
  /**
   * Bearer token required on the event stream, replies and messages. Else
   * `AAEP_TOKEN`, else none (then serve on loopback only: startAaepServer does).
   */
  readonly token?: string;
  /**
   * Listeners who are one principal each (a token map, JWTs): they hear, and answer, only
   * their own sessions; the `token` is then the operator's, who hears all. See ListenerOptions.
   */
  readonly listeners?: ListenerOptions;
  /** Origins allowed to call from a browser (CORS). Default: none. */
  readonly corsOrigins?: readonly string[];
  /**
   * Refuse (400) replies without `subscription_id`, as the spec's schema does. Else
   * `AAEP_REQUIRE_SUBSCRIPTION_ID`, else false: such replies are taken, with the
   * subscription unknown, because the AAEP project's own clients leave it out.
   */
  readonly requireSubscriptionId?: boolean;
  /** Told once per episode of the hub's subscriber bound; default a `diag` warning. Must not throw. */
  readonly onLimit?: (reached: LimitReached) => void;
  /**
   * Private key (PEM or JWK JSON, P-256, RSA or Ed25519) that signs the manifest as a JWS
   * (spec §10.4). Else `AAEP_MANIFEST_SIGNING_KEY`, else manifests are unsigned and
   * subscriptions that accept only signed manifests are rejected.
   */
  readonly manifestSigningKey?: string | KeyObject;
}

const INVALID_REPLY = {
  error: 'invalid_reply',
  message: 'Not a valid AAEP confirmation.reply or clarification.reply message.',
} as const;
const INVALID_MESSAGE = {
  error: 'invalid_message',
  message: 'Expected a reply, or {"kind":"user_input","text":"…"} with 1 to 16384 characters of text.',
} as const;
const NO_INPUT = { error: 'not_supported', message: 'This producer does not take user input.' } as const;

const UserInputSchema = z.strictObject({ kind: z.literal('user_input'), text: z.string().trim().min(1).max(16_384) });
const SessionRequestSchema = z.object({ user_message: z.string().trim().min(1).max(16_384) });
const SESSION_ID_FORMAT = /^sess_[A-Za-z0-9]{1,64}$/;

/** An express Router serving AAEP, with `close()` to end its open streams. */
export type AaepRouter = Router & {
  close(): void;
  /** Serves the WebSocket binding (`/aaep/v1/ws`, spec B.2) on this HTTP server too. */
  attachWebSocket(server: Server): void;
  /** @internal The streams by subscription id, for the WebSocket binding. */
  readonly subscriptions: SubscriptionRegistry;
};


const SESSION_ID = /^sess_[A-Za-z0-9]{1,64}$/;


/**
 * `GET /aaep/v1/events` (SSE, spec appendix B.1) and the producer manifest, for
 * mounting in an existing express app: `app.use(createAaepRouter({ hub }))`.
 */
export function createAaepRouter(options: AaepRouterOptions): AaepRouter {
  const { hub } = options;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const retryMs = options.retryMs ?? 2_000;
  const open = new Set<ServerResponse>();
  let keepAlive: NodeJS.Timeout | undefined;

  const router = Router() as AaepRouter;
  const token = options.token ?? readEnvString('AAEP_TOKEN');
  const listenerAuth = new ListenerAuth(token, options.listeners);
  const guard = authenticateListener(listenerAuth);
  const replies = options.replies ?? hub.replies;
  const replySchema = (options.requireSubscriptionId ?? readEnvBoolean('AAEP_REQUIRE_SUBSCRIPTION_ID') ?? false) ? ReplySchema : ReceivedReplySchema;
  const json = express.json({ limit: '64kb', type: () => true });
  const onLimit = options.onLimit ?? warnLimit;
  const subscriberBound = new LimitEpisode(() =>
    onLimit({
      limit: 'subscribers',
      bound: hub.maxSubscribers,
      message: `${hub.maxSubscribers} subscribers are connected, the limit (AAEP_MAX_SUBSCRIBERS); new ones get 503 until some leave.`,
    }),
  );
  const tooManySubscribers = {
    error: 'too_many_subscribers',
    message: 'This producer has as many event-stream subscribers as it serves; retry later.',
  } as const;
  // Every state-changing endpoint: another site's page is refused before anything else, then the token, then anything not JSON.
  const write = [refuseCrossSite(options.corsOrigins, { tokenless: !listenerAuth.required }), guard, requireJson, json];
  const signer = ManifestSigner.resolve(options.manifestSigningKey);
  const manifest = () =>
    producerManifest({
      producer: options.producer ?? hub.producer,
      authenticated: listenerAuth.required,
      signed: signer !== undefined,
      paths: { events: EVENTS_PATH, replies: REPLIES_PATH, messages: MESSAGES_PATH },
    });
  const subscriptions = new SubscriptionRegistry(hub, async () => ({
    producer: options.producer ?? hub.producer,
    aaepVersion: AAEP_VERSION,
    conformanceLevels: CONFORMANCE_LEVELS,
    languages: PHRASE_LANGUAGES,
    signedManifest: signer === undefined ? undefined : await signer.sign(manifest()),
  }));

  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    router.use(
      cors({
        origin: [...options.corsOrigins],
        credentials: true,
        allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', SUBSCRIPTION_ID_HEADER],
        exposedHeaders: [SUBSCRIPTION_ID_HEADER],
        methods: ['GET', 'POST'],
        maxAge: 600,
      }),
    );
  }

  /** A principal answers only its own sessions' questions (and unowned ones if everyone hears those). */
  const mayAnswer = (listener: Listener, replyToken: string): boolean => {
    if (listener.kind === 'operator') return true;
    const owner = hub.sessionOwners.ownerOfReply(replyToken);
    return owner === undefined ? listenerAuth.hearsUnowned : owner === listener.principal;
  };

  /**
   * Every schema-valid reply gets 204, honoured or not (spec §6.3.4): the stream shows the
   * outcome. The answer waits until the reply is settled where every instance sees it, so a
   * later reply anywhere cannot overtake one already answered.
   */
  const submitReply = async (body: unknown, listener: Listener): Promise<boolean> => {
    const parsed = replySchema.safeParse(body);
    if (!parsed.success) return false;
    if (mayAnswer(listener, parsed.data.reply_token)) await replies?.submitSettled(parsed.data);
    return true;
  };
  const acceptReply = async (body: unknown, res: Response): Promise<boolean> => {
    if (!(await submitReply(body, listenerOf(res)))) return false;
    res.status(204).end();
    return true;
  };

  /** A user's message, answered the same over HTTP and WebSocket. */
  const runUserInput = async (text: string, listener: Listener): Promise<{ status: number; body: object; retryAfter?: number }> => {
    if (options.onUserInput === undefined) return { status: 501, body: NO_INPUT };
    try {
      const sessionId = await options.onUserInput(text, { principal: listener.kind === 'user' ? listener.principal : undefined });
      if (!SESSION_ID_FORMAT.test(sessionId)) throw new Error(`onUserInput returned ${JSON.stringify(sessionId)}, not a session id`);
      return { status: 202, body: { session_id: sessionId } };
    } catch (error) {
      if (error instanceof UserInputRejected) {
        return { status: 429, retryAfter: error.retryAfterSeconds, body: { error: 'busy', message: error.message, retry_after_seconds: error.retryAfterSeconds } };
      }
      diag.error('aaep-otel: the user input handler failed', error);
      return { status: 500, body: { error: 'internal', message: 'The agent could not start a session.' } };
    }
  };

  const startSession = async (text: string, res: Response): Promise<void> => {
    const result = await runUserInput(text, listenerOf(res));
    if (result.retryAfter !== undefined) res.set('Retry-After', String(result.retryAfter));
    res.status(result.status).json(result.body);
  };

  router.post(REPLIES_PATH, ...write, async (req: Request, res: Response) => {
    if (!(await acceptReply(req.body, res))) res.status(400).json(INVALID_REPLY);
  });

  router.post(MESSAGES_PATH, ...write, async (req: Request, res: Response) => {
    const body: unknown = req.body;
    const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
    if (typeof type === 'string' && HANDSHAKE_TYPES.has(type)) {
      await postHandshake(subscriptions, req, res, undefined);
      return;
    }
    if (type === 'confirmation.reply' || type === 'clarification.reply') {
      if (!(await acceptReply(body, res))) res.status(400).json(INVALID_REPLY);
      return;
    }
    const input = UserInputSchema.safeParse(body);
    if (!input.success) {
      res.status(400).json(INVALID_MESSAGE);
      return;
    }
    await startSession(input.data.text, res);
  });

  router.post(SUBSCRIPTIONS_PATH, ...write, (req: Request, res: Response) => postHandshake(subscriptions, req, res, EVENTS_PATH));

  router.post(SESSIONS_PATH, ...write, async (req: Request, res: Response) => {
    const request = SessionRequestSchema.safeParse(req.body);
    if (!request.success) {
      res.status(400).json({ error: 'invalid_request', message: 'Expected {"user_message":"…"} with 1 to 16384 characters.' });
      return;
    }
    await startSession(request.data.user_message, res);
  });

  router.get(EVENTS_PATH, guard, (req: Request, res: Response) => {
    const sessionId = typeof req.query.session_id === 'string' ? req.query.session_id : undefined;
    if (sessionId !== undefined && !SESSION_ID.test(sessionId)) {
      res.status(400).json({ error: 'invalid_request', message: 'session_id must look like sess_<letters and digits>.' });
      return;
    }
    const named = waitingSubscription(req, res, subscriptions, 'stream');
    if (named === null) return;
    const header = req.get('last-event-id');
    const query = typeof req.query.last_event_id === 'string' ? req.query.last_event_id : undefined;
    const lastEventId = header ?? query;
    if (hub.subscriberCount >= hub.maxSubscribers) {
      subscriberBound.refused();
      res.status(503).set('Retry-After', String(Math.max(1, Math.ceil(retryMs / 1000)))).json(tooManySubscribers);
      return;
    }

    res.status(200);
    res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform keeps compression middleware away: a compressed stream is buffered.
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const subscriptionId = named ?? subscriptions.newId();
    res.set(SUBSCRIPTION_ID_HEADER, subscriptionId);
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write(sseRetry(retryMs));

    const sink = new SseSink(res);
    const listener = listenerOf(res);
    const audience = listenerAuth.audienceOf(listener);
    const { channel, subscription } = subscriptions.open(subscriptionId, sseTransport(res, sink), { sessionId, lastEventId, audience });
    sink.attach(subscription);
    res.on('drain', () => channel.drained());
    if (res.writableEnded) return;
    const expiry = expireAt(listener, () => endStream(res));
    open.add(res);
    if (keepAlive === undefined) {
      keepAlive = setInterval(() => {
        for (const stream of open) {
          if (!stream.writableEnded && !stream.destroyed && !stream.writableNeedDrain) stream.write(sseComment('keepalive'));
        }
      }, keepAliveMs);
      keepAlive.unref();
    }
    res.on('close', () => {
      if (expiry !== undefined) clearTimeout(expiry);
      subscription.unsubscribe();
      subscriberBound.observe(hub.subscriberCount, hub.maxSubscribers);
      subscriptions.remove(channel);
      open.delete(res);
      if (open.size === 0 && keepAlive !== undefined) {
        clearInterval(keepAlive);
        keepAlive = undefined;
      }
    });
  });

  router.get(MANIFEST_PATH, (_req: Request, res: Response) => {
    res.json(manifest());
  });

  if (signer !== undefined) {
    router.get(MANIFEST_JWS_PATH, async (_req: Request, res: Response) => {
      res.type('application/jose').send(await signer.sign(manifest()));
    });
    router.get(JWKS_PATH, async (_req: Request, res: Response) => {
      res.json({ keys: [await signer.jwk()] });
    });
  }

  // Bodies that are not JSON or too large: the same answer as any other malformed message.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (req.path === REPLIES_PATH) res.status(400).json(INVALID_REPLY);
    else if (req.path === MESSAGES_PATH || req.path === SUBSCRIPTIONS_PATH) res.status(400).json(INVALID_MESSAGE);
    else res.status(400).json({ error: 'invalid_request', message: 'The request body is not valid JSON.' });
  });

  router.use(
    createUiRouter({ token, ...(listenerAuth.required && { accepts: async (credential: string) => (await listenerAuth.identify(credential)) !== undefined }) }),
  );

  Object.defineProperty(router, 'subscriptions', { value: subscriptions });
  const sockets: WebSocketBinding[] = [];
  router.attachWebSocket = (server) => {
    sockets.push(
      attachWebSocket(server, {
        subscriptions,
        guard,
        allowedOrigins: options.corsOrigins ?? [],
        keepAliveMs,
        audienceOf: (listener) => listenerAuth.audienceOf(listener),
        async onMessage(message, listener) {
          const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
          if (type === 'confirmation.reply' || type === 'clarification.reply') return { ok: await submitReply(message, listener) };
          const input = UserInputSchema.safeParse(message);
          if (!input.success) return { ok: false };
          const result = await runUserInput(input.data.text, listener);
          return { ok: true, answer: { kind: 'user_input', status: result.status, ...result.body } };
        },
      }),
    );
  };
  router.close = () => {
    for (const binding of sockets) binding.close();
    for (const stream of open) endStream(stream);
    open.clear();
    if (keepAlive !== undefined) clearInterval(keepAlive);
    keepAlive = undefined;
  };

  return router;
}
