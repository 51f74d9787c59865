import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import express, { type Request, type Response } from 'express';
import { DecisionStore } from '../src/DecisionStore.js';
import { EventHub } from '../src/EventHub.js';
import { createAaepRouter } from '../src/http/createAaepRouter.js';
import { createDecisionRouter } from '../src/http/createDecisionRouter.js';
import { createOtlpTraceHandler } from '../src/otlp/createOtlpTraceHandler.js';
import { TraceAssembler } from '../src/otlp/TraceAssembler.js';
import { ReplyRegistry } from '../src/ReplyRegistry.js';
import { Translator } from '../src/translator.js';
import type { ReceiverConfig } from './receiverConfig.js';

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface Receiver {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly hub: EventHub;
  readonly translator: Translator;
  readonly assembler: TraceAssembler;
  readonly replies: ReplyRegistry;
  readonly server: Server;
  /** Stops taking exports, lets requests in flight finish, places held spans, cancels open sessions and ends the streams. Idempotent. */
  close(): Promise<void>;
}

/**
 * The standalone receiver: OTLP/HTTP traces in, the same translator as the
 * in-process processor, AAEP out (SSE, manifest, replies), plus the decision
 * endpoint agents in other processes poll, and health checks.
 */
export async function startReceiver(config: ReceiverConfig, log: Log = () => {}): Promise<Receiver> {
  const producer = { agent_id: config.agentId, ...(config.agentName !== undefined && { agent_name: config.agentName }) };
  const replies = new ReplyRegistry();
  const decisions = new DecisionStore();
  let hub: EventHub | undefined;
  const translator = new Translator({
    producer,
    emit: (event) => hub!.publish(event),
    onViolation: (message) => log('warn', message),
    onSessionClosed: (sessionId) => replies.cancelSession(sessionId),
    onReplyRequested: (request) => decisions.track(replies, request),
  });
  hub = new EventHub({
    retentionEvents: config.retentionEvents,
    retentionBytes: config.retentionBytes,
    snapshot: (sessionId) => translator.snapshot(sessionId),
    producer,
    replies,
  });
  const assembler = new TraceAssembler(translator, { quietMs: config.quietMs });

  let ready = true;
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req: Request, res: Response) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req: Request, res: Response) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'stopping', held_spans: assembler.heldSpans, subscribers: hub!.subscriberCount });
  });
  app.use(
    createOtlpTraceHandler({
      assembler,
      maxBodyBytes: config.maxBodyBytes,
      onExport: (summary) => {
        if (summary.rejected > 0) log('warn', 'export had invalid spans', summary);
      },
    }),
  );
  const router = createAaepRouter({ hub, replies, ...(config.token !== undefined && { token: config.token }), ...(config.corsOrigins.length > 0 && { corsOrigins: config.corsOrigins }) });
  app.use(router);
  app.use(createDecisionRouter({ decisions, ...(config.token !== undefined && { token: config.token }) }));

  const server = context.with(suppressTracing(ROOT_CONTEXT), () => app.listen(config.port, config.host));
  await once(server, 'listening');
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
  log('info', 'receiver listening', {
    url,
    otlp: `${url}/v1/traces`,
    events: `${url}/aaep/v1/events`,
    authentication: config.token === undefined ? 'none' : 'bearer',
  });
  if (config.token === undefined && !/^(127\.|::1$|::ffff:127\.)/.test(address.address)) {
    log('warn', 'no AAEP_TOKEN: anyone who can reach this port can read the stream and answer confirmations');
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    host: address.address,
    hub,
    translator,
    assembler,
    replies,
    server,
    close() {
      closing ??= (async () => {
        ready = false;
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        assembler.flushAll();
        assembler.close();
        // As the processor's shutdown does: sessions still open end as cancelled (by
        // system) and their questions settle as cancelled, while the streams can hear it.
        translator.cancelAll(Date.now(), 'producer_shutdown');
        replies.cancelAll();
        await hub!.flush(2_000);
        hub!.close();
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
