import { looksLikeToken } from './looksLikeToken.js';
import { URL_MASK } from './mask.js';

// scheme://userinfo@rest — userinfo is bounded and cannot contain / ? # or
// quotes, so it can't run into the path or the next JSON field; greedy so a
// raw '@' inside a password is covered.
const URL_CRED_RE = /\b([A-Za-z][A-Za-z0-9+.-]{0,30}):\/\/([^\s/?#"'<>`{}]{1,256})@([^\s"'<>`]*)/g;

export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CRED_RE, (whole, scheme: string, userinfo: string, rest: string) => {
    // `ssh://git@host` names a user, not a secret.
    const secret = userinfo.includes(':') || userinfo.length >= 16 || looksLikeToken(userinfo, 8);
    if (!secret) return whole;
    // Said after the URL instead: see urlEnd.
    return `${scheme}://${URL_MASK.repeat(userinfo.length + 1)}${rest}`;
  });
}
