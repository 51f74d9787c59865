import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Cookie a browser page can carry to an EventSource, which cannot set headers. */
export const TOKEN_COOKIE = 'aaep_token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The credential a request offers: bearer header, then cookie, then `access_token` query parameter. */
function offered(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const cookieHeader = req.get('cookie');
  if (cookieHeader !== undefined) {
    const fromCookie = parseCookie(cookieHeader)[TOKEN_COOKIE];
    if (fromCookie !== undefined && fromCookie !== '') return fromCookie;
  }
  const query = req.query.access_token;
  return typeof query === 'string' && query !== '' ? query : undefined;
}

/**
 * Requires the shared bearer token when one is configured; compares digests in
 * constant time so the response time says nothing about how much of a guess was right.
 */
export function authenticate(token: string | undefined): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const candidate = offered(req);
    if (candidate !== undefined && timingSafeEqual(digest(candidate), expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="aaep"');
    res.status(401).json({ error: 'unauthorized', message: 'A valid AAEP token is required.' });
  };
}
