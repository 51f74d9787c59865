import type { NextFunction, Request, Response } from 'express';

export const NOT_JSON = { error: 'unsupported_media_type', message: 'Send the body as Content-Type: application/json.' } as const;

/**
 * 415 unless the body is declared `application/json`. Forms (`text/plain`,
 * `application/x-www-form-urlencoded`, `multipart/form-data`) are what another
 * site's page can send without a CORS preflight, so they never change state.
 */
export function requireJson(req: Request, res: Response, next: NextFunction): void {
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') next();
  else res.status(415).json(NOT_JSON);
}
