import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { DecisionStore } from '../src/agent/DecisionStore.js';
import { EventHub } from '../src/hub/EventHub.js';
import { closeRedis, connectRedis } from '../src/hub/connectRedis.js';
import { createHubBackend } from '../src/hub/createHubBackend.js';
import { RedisDecisionStore } from '../src/hub/RedisDecisionStore.js';
import { RedisReplyRegistry } from '../src/hub/RedisReplyRegistry.js';
import type { HubBackend } from '../src/hub/HubBackend.js';
import { createAaepRouter } from '../src/http/createAaepRouter.js';
import { createDecisionRouter } from '../src/http/createDecisionRouter.js';
import { listen } from '../src/http/listen.js';
import { ListenerAuth } from '../src/http/ListenerAuth.js';
import { createOtlpTraceHandler } from '../src/sources/otlp/createOtlpTraceHandler.js';
import { startOtlpGrpcServer, type OtlpGrpcServer } from '../src/sources/otlp/startOtlpGrpcServer.js';
import type { LimitReached, StoreUsage } from '../src/limits.js';
import { ReplyRegistry } from '../src/agent/ReplyRegistry.js';
import type { ReceiverConfig } from './receiverConfig.js';
import { startTranslation } from './receiverTranslation.js';

export interface ReceiverStats {
  readonly sessions: StoreUsage;
  readonly spans: StoreUsage & { perSession: number };
  readonly heldSpans: StoreUsage & { traces: number; perTrace: number };
  readonly subscribers: StoreUsage;
  readonly replies: StoreUsage;
  readonly decisions: StoreUsage;
}

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly hub: EventHub;
  /** Where translated events go: the hub itself, or the Redis stream it follows (`hubUrl`). */
  readonly backend: HubBackend;
  /** Translation worker threads; 0 when the receiver translates in its own thread. */
  readonly workers: number;
  /** Heap and off-heap bytes of the translation workers, after full collections when run with `--expose-gc`. */
  workerMemory(): Promise<number>;
  readonly replies: ReplyRegistry;
  readonly server: Server;
  /** Each store against its bound, as `/readyz` reports it. */
  readonly stats: ReceiverStats;
  /** The OTLP/gRPC port, when `grpcPort` is set. */
  readonly grpcPort: number | undefined;
  /** Stops taking exports, lets requests in flight finish, places held spans, cancels open sessions and ends the streams. Idempotent. */
  close(): Promise<void>;
}

/**
 * The standalone receiver: OTLP/HTTP traces in, the same translator as the
 * in-process processor (in `workers` threads, each trace in one), AAEP out (SSE,
 * manifest, replies), plus the decision endpoint agents in other processes poll,
 * and health checks.
 */
export async function startReceiver(config: ReceiverConfig, log: Log = () => {}): Promise<Receiver> {
  const producer = { agent_id: config.agentId, ...(config.agentName !== undefined && { agent_name: config.agentName }) };
  const onLimit = (reached: LimitReached) =>
    log('warn', reached.message, {
      limit: reached.limit,
      bound: reached.bound,
      ...(reached.traceId !== undefined && { trace_id: reached.traceId }),
      ...(reached.sessionId !== undefined && { session_id: reached.sessionId }),
    });
  // With a shared hub, questions, replies and decisions live in the same Redis, on the connection the hub appends with.
  const shared = config.hubUrl === undefined ? undefined : { url: config.hubUrl, connection: connectRedis(config.hubUrl, 'hub writer') };
  const decisions = shared === undefined ? new DecisionStore(config.maxDecisions) : new RedisDecisionStore({ ...shared, capacity: config.maxDecisions });
  const replyOptions = { maxPending: config.maxPendingReplies, onLimit };
  const replies = decisions instanceof RedisDecisionStore ? new RedisReplyRegistry(decisions, replyOptions) : new ReplyRegistry(replyOptions);
  let backend: HubBackend | undefined;
  const translation = startTranslation(config, {
    producer,
    backend: () => backend!,
    onViolation: (message) => log('warn', message),
    onSessionClosed: (sessionId) => replies.cancelSession(sessionId),
    onReplyRequested: (request) => decisions.track(replies, request),
    onLimit,
  });
  const hub = new EventHub({
    retentionEvents: config.retentionEvents,
    retentionBytes: config.retentionBytes,
    maxSubscribers: config.maxSubscribers,
    catchUp: translation.catchUp,
    producer,
    replies,
  });
  backend = createHubBackend(hub, { hubUrl: config.hubUrl, retentionEvents: config.retentionEvents, leaseMs: config.hubLeaseMs, ...(shared !== undefined && { connection: shared.connection }) });

  const stats = (): ReceiverStats => ({
    ...translation.usage,
    subscribers: hub.subscribers,
    replies: replies.usage,
    decisions: decisions.usage,
  });
  let ready = true;
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req: Request, res: Response) => {
    // Each store against its bound, so an operator sees how close the receiver is to refusing.
    const status = !ready ? 'stopping' : !backend!.available ? 'hub unavailable' : 'ready';
    res.status(status === 'ready' ? 200 : 503).json({ status, hub: backend!.kind, ...stats() });
  });
  app.use(
    createOtlpTraceHandler({
      assembler: translation,
      ...(config.ingestToken !== undefined && { token: config.ingestToken }),
      corsOrigins: config.corsOrigins,
      maxBodyBytes: config.maxBodyBytes,
      maxPendingBytes: config.maxPendingBytes,
      bodyTimeoutMs: config.bodyTimeoutMs,
      gate: backend,
      onExport: (summary) => {
        if (summary.rejected > 0) log('warn', 'export had invalid spans', summary);
      },
    }),
  );
  const router = createAaepRouter({ hub, replies, onLimit, listeners: config.listeners, ...(config.token !== undefined && { token: config.token }), ...(config.corsOrigins.length > 0 && { corsOrigins: config.corsOrigins }) });
  app.use(router);
  // Decisions answer the agent that asked, a span sender: the ingest token.
  app.use(createDecisionRouter({ decisions, ...(config.ingestToken !== undefined && { token: config.ingestToken }) }));

  // Exports are taken once they can be translated.
  await translation.ready();
  const server = await listen(app, config).catch(async (error: unknown) => {
    await translation.close();
    throw error;
  });
  router.attachWebSocket(server);
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  let inFlight = 0;
  let stopping = false;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (stopping && inFlight === 0) server.closeAllConnections();
    });
  });
  // As the router resolves them: the operator's token, and users' tokens or JWTs.
  const listenerAuth = new ListenerAuth(config.token, config.listeners);
  log('info', 'receiver listening', {
    url,
    otlp: `${url}/v1/traces`,
    events: `${url}/aaep/v1/events`,
    authentication: listenerAuth.required ? 'bearer' : 'none',
    listeners: !listenerAuth.required ? 'anyone (loopback only)' : listenerAuth.scoped ? 'the operator and users, each hearing their own sessions' : 'the operator',
    ingest_authentication: config.ingestToken === undefined ? 'none' : 'bearer',
  });
  if (!/^(127\.|::1$|::ffff:127\.)/.test(address.address)) {
    if (!listenerAuth.required) log('warn', 'no AAEP_TOKEN or listener credentials: anyone who can reach this port can read the stream and answer confirmations');
    if (config.ingestToken === undefined) log('warn', 'no AAEP_INGEST_TOKEN or AAEP_TOKEN: anyone who can reach this port can send spans, forging what the stream announces and asks');
  }

  // OTLP/gRPC, when asked for: the same assembler, limits and token as OTLP/HTTP.
  const ingestToken = config.ingestToken;
  let grpcServer: OtlpGrpcServer | undefined;
  if (config.grpcPort !== undefined) {
    try {
      grpcServer = await startOtlpGrpcServer({
        assembler: translation,
        host: config.host,
        port: config.grpcPort,
        token: ingestToken,
        maxMessageBytes: config.maxBodyBytes,
        gate: backend,
        onExport: (summary) => {
          if (summary.rejected > 0) log('warn', 'export had invalid spans', summary);
        },
      });
    } catch (error) {
      server.close();
      await translation.close();
      throw error;
    }
    log('info', 'OTLP/gRPC listening', { host: config.host, port: grpcServer.port });
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    host: address.address,
    hub,
    backend,
    workers: config.workers,
    workerMemory: () => translation.workerMemory(),
    replies,
    server,
    get stats() {
      return stats();
    },
    grpcPort: grpcServer?.port,
    close() {
      closing ??= (async () => {
        ready = false;
        stopping = true;
        await grpcServer?.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // As the processor's shutdown does: held spans are placed, sessions still open end as
        // cancelled (by system) and their questions settle as cancelled, while the streams can hear it.
        await translation.close();
        replies.cancelAll();
        await backend!.close();
        if (decisions instanceof RedisDecisionStore) await decisions.close();
        if (shared !== undefined) await closeRedis(shared.connection);
        await hub.flush(2_000);
        hub.close();
        // Long-lived streams would hold the server open; requests in flight finish.
        router.close();
        if (inFlight === 0) server.closeAllConnections();
        await closed;
        log('info', 'receiver stopped');
      })();
      return closing;
    },
  };
}
