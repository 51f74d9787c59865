import type { ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import type { EventHub } from '../EventHub.js';
import type { Producer } from '../protocol/index.js';
import { AAEP_VERSION } from '../translator.js';
import { SseSink, endStream } from './SseSink.js';
import { sseComment, sseRetry } from './sseFrame.js';

export const EVENTS_PATH = '/aaep/v1/events';
export const MANIFEST_PATH = '/.well-known/aaep-manifest.json';

export interface AaepRouterOptions {
  readonly hub: EventHub;
  /** Who the manifest says is producing; the processor's producer by default. */
  readonly producer?: Producer;
  /** Comment sent on idle streams so proxies keep them open. Default 15 s. */
  readonly keepAliveMs?: number;
  /** Reconnect delay suggested to EventSource clients. Default 2 s. */
  readonly retryMs?: number;
}

/** An express Router serving AAEP, with `close()` to end its open streams. */
export type AaepRouter = Router & { close(): void };

/** What the translator emits today; the human-in-the-loop events arrive with the confirmation API. */
const EVENT_TYPES_EMITTED = [
  'aaep:agent.session.started',
  'aaep:agent.session.completed',
  'aaep:agent.session.errored',
  'aaep:agent.session.cancelled',
  'aaep:agent.state.changed',
  'aaep:agent.progress.updated',
  'aaep:agent.tool.invoked',
  'aaep:agent.tool.completed',
  'aaep:agent.output.streaming',
];

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

  router.get(EVENTS_PATH, (req: Request, res: Response) => {
    const sessionId = typeof req.query.session_id === 'string' ? req.query.session_id : undefined;
    if (sessionId !== undefined && !SESSION_ID.test(sessionId)) {
      res.status(400).json({ error: 'invalid_request', message: 'session_id must look like sess_<letters and digits>.' });
      return;
    }
    const header = req.get('last-event-id');
    const query = typeof req.query.last_event_id === 'string' ? req.query.last_event_id : undefined;
    const lastEventId = header ?? query;

    res.status(200);
    res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform keeps compression middleware away: a compressed stream is buffered.
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.write(sseRetry(retryMs));

    const sink = new SseSink(res);
    const subscription = hub.subscribe(sink, { sessionId, lastEventId });
    sink.attach(subscription);
    if (res.writableEnded) return;
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
      subscription.unsubscribe();
      open.delete(res);
      if (open.size === 0 && keepAlive !== undefined) {
        clearInterval(keepAlive);
        keepAlive = undefined;
      }
    });
  });

  router.get(MANIFEST_PATH, (_req: Request, res: Response) => {
    const producer = options.producer ?? hub.producer;
    res.json({
      '@context': 'https://aaep-protocol.org/context/v1',
      type: 'aaep:producer.manifest',
      agent_id: producer.agent_id,
      ...(producer.agent_name !== undefined && { agent_name: producer.agent_name }),
      ...(producer.agent_version !== undefined && { agent_version: producer.agent_version }),
      aaep_versions_supported: [AAEP_VERSION],
      conformance_levels_supported: [1],
      transports_supported: ['sse'],
      event_types_emitted: EVENT_TYPES_EMITTED,
      default_verbosity: 'normal',
      endpoints: { events: EVENTS_PATH },
    });
  });

  router.close = () => {
    for (const stream of open) endStream(stream);
    open.clear();
    if (keepAlive !== undefined) clearInterval(keepAlive);
    keepAlive = undefined;
  };

  return router;
}
