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

const LOOPBACK_HOST = /^(?:localhost|[a-z0-9.-]+\.localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

/**
 * Whether a web page reached us under a name that is not a loopback address. With no
 * token, that is how DNS rebinding lets another site's page look same-origin: its own
 * name, pointed at 127.0.0.1. Pages of allowed (CORS) origins are not refused.
 */
export function isReboundPage(req: Request, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.get('origin');
  if (origin === undefined && req.get('sec-fetch-site') === undefined) return false;
  if (origin !== undefined && allowedOrigins.has(origin)) return false;
  return !LOOPBACK_HOST.test(req.get('host') ?? '');
}

export const CROSS_SITE = {
  error: 'forbidden',
  message: 'Requests from other sites may not change anything here; allow the origin with corsOrigins (AAEP_CORS_ORIGINS).',
} as const;

/**
 * Refuses state-changing requests sent by other sites' pages with 403, whatever
 * credential they carry (a cookie travels with them) and even when no token is
 * configured: no web page the user visits may drive a local agent. Without a token
 * (`tokenless`), a page must also have reached us as localhost or 127.x / [::1].
 */
export function refuseCrossSite(allowedOrigins: readonly string[] = [], options: { tokenless?: boolean } = {}): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    if (isCrossSite(req, allowed) || (options.tokenless === true && isReboundPage(req, allowed))) res.status(403).json(CROSS_SITE);
    else next();
  };
}
