import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { readEnvString } from '../env.js';
import type { Audience } from '../hub/Subscription.js';
import { tokenMatcher } from './authenticate.js';

/**
 * Who may listen and answer besides the operator (the shared token): a static
 * token-to-principal map for small setups, and bearer JWTs whose claim names the principal.
 */
export interface ListenerOptions {
  /** Token → principal. Else `AAEP_LISTENER_TOKENS` (`token=principal,token=principal`), else none. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** HS256 secret JWTs are signed with. Else `AAEP_JWT_SECRET`. */
  readonly jwtSecret?: string;
  /** JWKS URL whose keys sign JWTs (RS256, ES256, EdDSA…). Else `AAEP_JWT_JWKS_URL`. */
  readonly jwksUrl?: string;
  /** Required `iss`. Else `AAEP_JWT_ISSUER`, else not checked. */
  readonly issuer?: string;
  /** Required `aud`. Else `AAEP_JWT_AUDIENCE`, else not checked. */
  readonly audience?: string;
  /** Claim naming the principal. Else `AAEP_JWT_PRINCIPAL_CLAIM`, else `sub`. */
  readonly principalClaim?: string;
  /**
   * Who hears sessions no principal owns: `operator` (only the shared token) or `everyone`.
   * Else `AAEP_UNOWNED_SESSIONS`, else `operator`.
   */
  readonly unownedSessions?: 'operator' | 'everyone';
}

/** A listener who hears everything (the shared token, or no credentials configured at all). */
export interface Operator {
  readonly kind: 'operator';
}

/** A listener who is one principal; `expiresAt` (ms) ends its stream when its JWT expires. */
export interface Principal {
  readonly kind: 'user';
  readonly principal: string;
  readonly expiresAt: number | undefined;
}

export type Listener = Operator | Principal;

const OPERATOR: Operator = { kind: 'operator' };
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_PRINCIPAL_LENGTH = 256;

/** `token=principal,token=principal` as a map (the form of AAEP_LISTENER_TOKENS). */
export function parseTokenMap(text: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const token = pair.slice(0, at).trim();
    const principal = pair.slice(at + 1).trim();
    if (token !== '' && principal !== '') map[token] = principal;
  }
  return map;
}

/**
 * Resolves a request's credential to a listener, with every option resolved once: explicit
 * config, else environment, else the documented default. Never says why a credential failed:
 * the caller answers 401 the same for a wrong token, a forged JWT and an expired one.
 */
export class ListenerAuth {
  private readonly operatorMatches: ((candidate: string | undefined) => boolean) | undefined;
  private readonly tokens: ReadonlyArray<{ matches: (candidate: string | undefined) => boolean; principal: string }>;
  private readonly key: Uint8Array | JWTVerifyGetKey | undefined;
  private readonly issuer: string | undefined;
  private readonly audienceClaim: string | undefined;
  private readonly principalClaim: string;
  readonly hearsUnowned: boolean;

  constructor(operatorToken: string | undefined, options: ListenerOptions = {}) {
    this.operatorMatches = operatorToken === undefined ? undefined : tokenMatcher(operatorToken);
    const map = options.tokens ?? parseTokenMap(readEnvString('AAEP_LISTENER_TOKENS'));
    this.tokens = Object.entries(map).map(([token, principal]) => ({ matches: tokenMatcher(token), principal }));
    const secret = options.jwtSecret ?? readEnvString('AAEP_JWT_SECRET');
    const jwksUrl = options.jwksUrl ?? readEnvString('AAEP_JWT_JWKS_URL');
    this.key = jwksUrl !== undefined ? createRemoteJWKSet(new URL(jwksUrl)) : secret !== undefined ? new TextEncoder().encode(secret) : undefined;
    this.issuer = options.issuer ?? readEnvString('AAEP_JWT_ISSUER');
    this.audienceClaim = options.audience ?? readEnvString('AAEP_JWT_AUDIENCE');
    this.principalClaim = options.principalClaim ?? readEnvString('AAEP_JWT_PRINCIPAL_CLAIM') ?? 'sub';
    this.hearsUnowned = (options.unownedSessions ?? readEnvString('AAEP_UNOWNED_SESSIONS')) === 'everyone';
  }

  /** Whether any credential is configured; with none, everyone is the operator (loopback only). */
  get required(): boolean {
    return this.operatorMatches !== undefined || this.tokens.length > 0 || this.key !== undefined;
  }

  /** Whether a principal's credential can be given here (then sessions are scoped). */
  get scoped(): boolean {
    return this.tokens.length > 0 || this.key !== undefined;
  }

  /** The listener a credential names, or undefined when it names none. */
  async identify(credential: string | undefined): Promise<Listener | undefined> {
    if (!this.required) return OPERATOR;
    if (credential === undefined) return undefined;
    if (this.operatorMatches?.(credential) === true) return OPERATOR;
    for (const entry of this.tokens) if (entry.matches(credential)) return { kind: 'user', principal: entry.principal, expiresAt: undefined };
    if (this.key === undefined || !JWT_SHAPE.test(credential)) return undefined;
    try {
      const checks = {
        ...(this.issuer !== undefined && { issuer: this.issuer }),
        ...(this.audienceClaim !== undefined && { audience: this.audienceClaim }),
        // A listener's credential must end: an expired one closes its stream.
        requiredClaims: ['exp'],
      };
      const { payload } = typeof this.key === 'function' ? await jwtVerify(credential, this.key, checks) : await jwtVerify(credential, this.key, checks);
      const principal = payload[this.principalClaim];
      if (typeof principal !== 'string' || principal === '' || principal.length > MAX_PRINCIPAL_LENGTH) return undefined;
      return { kind: 'user', principal, expiresAt: payload.exp! * 1000 };
    } catch {
      return undefined;
    }
  }

  /** Whose sessions a listener hears: none for the operator (everyone's). */
  audienceOf(listener: Listener): Audience | undefined {
    return listener.kind === 'operator' ? undefined : { principal: listener.principal, hearsUnowned: this.hearsUnowned };
  }
}

/** Ends a listener's stream when its JWT expires: a credential's end is the stream's end. */
export function expireAt(listener: Listener, end: () => void): NodeJS.Timeout | undefined {
  if (listener.kind !== 'user' || listener.expiresAt === undefined) return undefined;
  // setTimeout's limit is about 24.8 days; a longer-lived credential is ended then, and reconnects.
  const timer = setTimeout(end, Math.min(2 ** 31 - 1, Math.max(0, listener.expiresAt - Date.now())));
  timer.unref();
  return timer;
}
