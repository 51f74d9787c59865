import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Listener, ListenerAuth } from './ListenerAuth.js';

/** Cookie the web page's stream and replies carry: set HttpOnly and SameSite=Strict by GET /aaep/ui. */
export const TOKEN_COOKIE = 'aaep_token';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The `Authorization: Bearer …` credential, if the request has one. */
export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/** The credential a request offers: bearer header, then cookie, then `access_token` query parameter. */
export function offered(req: Request): string | undefined {
  if (req.get('authorization') !== undefined) return bearerToken(req);
  const cookieHeader = req.get('cookie');
  if (cookieHeader !== undefined) {
    const fromCookie = parseCookie(cookieHeader)[TOKEN_COOKIE];
    if (fromCookie !== undefined && fromCookie !== '') return fromCookie;
  }
  const query = req.query.access_token;
  return typeof query === 'string' && query !== '' ? query : undefined;
}

/**
 * Whether a candidate is the token. Compares digests in constant time so the
 * response time says nothing about how much of a guess was right.
 */
export function tokenMatcher(token: string): (candidate: string | undefined) => boolean {
  const expected = digest(token);
  return (candidate) => candidate !== undefined && timingSafeEqual(digest(candidate), expected);
}

/** Requires the shared bearer token (header, cookie or query) when one is configured. */
export function authenticate(token: string | undefined): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  const matches = tokenMatcher(token);
  return (req: Request, res: Response, next: NextFunction) => {
    if (matches(offered(req))) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="aaep"');
    res.status(401).json({ error: 'unauthorized', message: 'A valid AAEP token is required.' });
  };
}

/** The listener a request was identified as, set by `authenticateListener`. */
export function listenerOf(res: Response): Listener {
  return (res.locals as { listener?: Listener }).listener ?? OPERATOR;
}

const OPERATOR: Listener = { kind: 'operator' };

/**
 * Identifies the listener (operator, or a principal by token map or JWT) from the same
 * credential carriers as `authenticate`, for `listenerOf`; anything else gets the same 401.
 */
export function authenticateListener(auth: ListenerAuth): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    auth.identify(offered(req)).then(
      (listener) => {
        if (listener !== undefined) {
          (res.locals as { listener?: Listener }).listener = listener;
          next();
          return;
        }
        res.set('WWW-Authenticate', 'Bearer realm="aaep"');
        res.status(401).json({ error: 'unauthorized', message: 'A valid AAEP token is required.' });
      },
      next,
    );
  };
}
