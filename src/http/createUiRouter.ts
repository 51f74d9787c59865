import { readFile } from 'node:fs/promises';
import { diag } from '@opentelemetry/api';
import { serialize as serializeCookie } from 'cookie';
import { Router, type Request, type Response } from 'express';
import { TOKEN_COOKIE, tokenMatcher } from './authenticate.js';

export const UI_PATH = '/aaep/ui';

/**
 * The web subscriber page's files, beside this module's folder: `src/ui/` under tsx,
 * `dist/src/ui/` after `npm run build` (which copies them there).
 */
const UI_DIR = new URL('../ui/', import.meta.url);

const SCRIPT = 'text/javascript; charset=utf-8';

/**
 * Only these files are served; nothing else in the folder (or outside it) can be named.
 * The page is small ES modules that import each other relatively: aaep-ui.js is the entry.
 */
export const UI_FILES: Readonly<Record<string, string>> = {
  'aaep-ui.js': SCRIPT,
  'page.js': SCRIPT,
  'verbosity.js': SCRIPT,
  'speech.js': SCRIPT,
  'questions.js': SCRIPT,
  'dialogContent.js': SCRIPT,
  'negotiation.js': SCRIPT,
  'SessionLabels.js': SCRIPT,
  'sessionList.js': SCRIPT,
  'aaep-ui.css': 'text/css; charset=utf-8',
};

/** The page runs only its own script and style and talks only to its own origin. */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

async function send(res: Response, file: string, contentType: string): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(new URL(file, UI_DIR));
  } catch (error) {
    diag.error(`aaep-otel: cannot read the web page file ${file} (a build must copy src/ui to dist/src/ui)`, error);
    res.status(500).json({ error: 'internal', message: 'The web page is not available.' });
    return;
  }
  res.set({ 'Content-Type': contentType, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  res.send(body);
}

export interface UiRouterOptions {
  /** The token of the AAEP endpoints, if they have one. */
  readonly token?: string | undefined;
  /** Whether a credential names a listener (the operator's token, a user's token or JWT); else the token alone counts. */
  readonly accepts?: (credential: string) => Promise<boolean>;
}

/**
 * `GET /aaep/ui`: a web page that subscribes to the AAEP stream and speaks it through
 * ARIA live regions, with keyboard-operable confirmation and question dialogs. Public:
 * the page holds no data. Opened as `/aaep/ui?access_token=…` with the right token, it
 * answers with the token in an `HttpOnly`, `SameSite=Strict` cookie and sends the
 * browser back to its address without the token; the page's script never sees the
 * token, and no other site's request carries it.
 */
export function createUiRouter(options: UiRouterOptions = {}): Router {
  const router = Router();
  const matchesToken = options.token === undefined ? undefined : tokenMatcher(options.token);
  const matches = options.accepts ?? (matchesToken === undefined ? undefined : async (credential: string) => matchesToken(credential));

  router.get(UI_PATH, async (req: Request, res: Response) => {
    // The page links its files and the endpoints relatively ("ui/aaep-ui.js", "v1/events"),
    // so it works wherever the router is mounted; "/aaep/ui/" would resolve them wrongly.
    const [path = '', query] = req.originalUrl.split('?', 2);
    if (path.endsWith('/')) {
      res.redirect(301, `../ui${query === undefined ? '' : `?${query}`}`);
      return;
    }
    const offered = req.query.access_token;
    if (matches !== undefined && offered !== undefined) {
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
      if (typeof offered !== 'string' || !(await matches(offered))) {
        res.status(401).json({ error: 'unauthorized', message: 'The access_token in this address is not valid.' });
        return;
      }
      // No Path: the cookie's default path is the page's folder (/aaep), where the endpoints are.
      res.append('Set-Cookie', serializeCookie(TOKEN_COOKIE, offered, { httpOnly: true, sameSite: 'strict', secure: req.secure }));
      const rest = new URLSearchParams(query);
      rest.delete('access_token');
      res.redirect(303, `ui${rest.size === 0 ? '' : `?${rest.toString()}`}`);
      return;
    }
    res.set({ 'Content-Security-Policy': PAGE_POLICY, 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    void send(res, 'index.html', 'text/html; charset=utf-8');
  });

  router.get(`${UI_PATH}/:file`, (req: Request, res: Response) => {
    const file = String(req.params.file);
    const contentType = Object.hasOwn(UI_FILES, file) ? UI_FILES[file] : undefined;
    if (contentType === undefined) {
      res.status(404).json({ error: 'not_found', message: 'No such file.' });
      return;
    }
    void send(res, file, contentType);
  });

  return router;
}
