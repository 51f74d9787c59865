import { Router, type Request, type Response } from 'express';
import { readEnvString } from '../env.js';
import type { DecisionStore } from '../agent/DecisionStore.js';
import { authenticate } from './authenticate.js';

export const DECISIONS_PATH = '/aaep/v1/decisions';

const TOKEN = /^rpl_[A-Za-z0-9]{1,64}$/;
const MAX_WAIT_SECONDS = 30;

export interface DecisionRouterOptions {
  readonly decisions: DecisionStore;
  /**
   * The ingest token: the agents polling here are the span senders that asked.
   * Else `AAEP_INGEST_TOKEN`, else `AAEP_TOKEN`.
   */
  readonly token?: string;
}

/**
 * `GET /aaep/v1/decisions/:reply_token?wait=N`: how an agent in another process
 * learns the answer to its question. Long-polls up to N seconds (at most 30):
 * 200 with `{reply}`, `{cancelled: true}` or `{expired: true}` (take the default now), or 204 when nothing was decided yet.
 */
export function createDecisionRouter(options: DecisionRouterOptions): Router {
  const router = Router();
  const guard = authenticate(options.token ?? readEnvString('AAEP_INGEST_TOKEN') ?? readEnvString('AAEP_TOKEN'));
  router.get(`${DECISIONS_PATH}/:token`, guard, async (req: Request, res: Response) => {
    const token = String(req.params.token);
    if (!TOKEN.test(token)) {
      res.status(400).json({ error: 'invalid_request', message: 'Expected a reply token (rpl_…).' });
      return;
    }
    const waitSeconds = Math.min(MAX_WAIT_SECONDS, Math.max(0, Number(req.query.wait ?? 0) || 0));
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const decision = await options.decisions.wait(token, waitSeconds * 1000, gone.signal);
    if (res.writableEnded || res.destroyed) return;
    if (decision === undefined) res.status(204).end();
    else res.status(200).json(decision);
  });
  return router;
}
