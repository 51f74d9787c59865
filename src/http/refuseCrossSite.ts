import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Whether a browser sent this request on behalf of another site's page. A page of
 * an allowed (CORS) origin is not cross-site. Otherwise `Sec-Fetch-Site` decides when
 * the browser sends it (same-origin, or none for what the user did themselves); older
 * browsers send only `Origin`, whose host must be this server's. A request with
 * neither header does not come from a web page (curl, an SDK, the CLI).
 */
export function isCrossSite(req: Request, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.get('origin');
  if (origin !== undefined && allowedOrigins.has(origin)) return false;
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  if (origin === undefined) return false;
  // Host only, not scheme: behind a TLS-terminating proxy the page is https and we see http.
  return !URL.canParse(origin) || new URL(origin).host !== req.get('host');
}

export const CROSS_SITE = {
  error: 'forbidden',
  message: 'Requests from other sites may not change anything here; allow the origin with corsOrigins (AAEP_CORS_ORIGINS).',
} as const;

/**
 * Refuses state-changing requests sent by other sites' pages with 403, whatever
 * credential they carry (a cookie travels with them) and even when no token is
 * configured: no web page the user visits may drive a local agent.
 */
export function refuseCrossSite(allowedOrigins: readonly string[] = []): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    if (isCrossSite(req, allowed)) res.status(403).json(CROSS_SITE);
    else next();
  };
}
