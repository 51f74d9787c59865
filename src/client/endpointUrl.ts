export const EVENTS_PATH = '/aaep/v1/events';
export const REPLIES_PATH = '/aaep/v1/replies';

const ENDPOINT_SUFFIX = /\/aaep\/v1\/(?:events|replies|messages)$/;

/**
 * The URL of one AAEP endpoint, from the server's base URL (possibly under a path
 * prefix) or from any of its endpoint URLs, so callers can pass whichever they have.
 * Relative URLs resolve against the page in a browser. The query is kept: it may
 * carry `access_token`.
 */
export function endpointUrl(url: string, path: string): URL {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const parsed = new URL(url, page);
  const base = parsed.pathname.replace(/\/+$/, '').replace(ENDPOINT_SUFFIX, '');
  parsed.pathname = `${base}${path}`;
  parsed.hash = '';
  return parsed;
}
