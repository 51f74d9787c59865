import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, type JWK } from 'jose';
import { readEnvString } from '../env.js';

/**
 * Signs the producer manifest as a compact JWS (spec §10.4.1) with a configured private
 * key, PEM (PKCS#8 or SEC1/PKCS#1) or a private JWK in JSON: ES256 for P-256 keys (the
 * spec's recommendation), RS256 for RSA, EdDSA for Ed25519. The public half is published
 * as a JWK whose `kid` (its RFC 7638 thumbprint) the JWS header names.
 */
export class ManifestSigner {
  readonly alg: 'ES256' | 'RS256' | 'EdDSA';
  private readonly privateKey: KeyObject;
  private readonly publicJwk: JWK;
  private kid: Promise<string> | undefined;
  private readonly signed = new Map<string, Promise<string>>();

  constructor(key: string | KeyObject) {
    this.privateKey = typeof key === 'string' ? parsePrivateKey(key) : key;
    if (this.privateKey.type !== 'private') throw new Error('The manifest signing key must be a private key.');
    const type = this.privateKey.asymmetricKeyType;
    const curve = this.privateKey.asymmetricKeyDetails?.namedCurve;
    if (type === 'ec' && curve === 'prime256v1') this.alg = 'ES256';
    else if (type === 'rsa') this.alg = 'RS256';
    else if (type === 'ed25519') this.alg = 'EdDSA';
    else throw new Error(`Unsupported manifest signing key (${type ?? 'unknown'}${curve === undefined ? '' : ` ${curve}`}): use P-256, RSA or Ed25519.`);
    this.publicJwk = createPublicKey(this.privateKey).export({ format: 'jwk' }) as JWK;
  }

  /** The explicit key, else `AAEP_MANIFEST_SIGNING_KEY`, else none (manifests unsigned). */
  static resolve(key: string | KeyObject | undefined): ManifestSigner | undefined {
    const configured = key ?? readEnvString('AAEP_MANIFEST_SIGNING_KEY');
    return configured === undefined ? undefined : new ManifestSigner(configured);
  }

  keyId(): Promise<string> {
    this.kid ??= calculateJwkThumbprint(this.publicJwk, 'sha256');
    return this.kid;
  }

  /** The public key as a JWK, for `/.well-known/jwks.json`. */
  async jwk(): Promise<JWK> {
    return { ...this.publicJwk, kid: await this.keyId(), alg: this.alg, use: 'sig' };
  }

  /** Compact JWS of the manifest JSON; the same text is signed once. */
  sign(manifest: object): Promise<string> {
    const payload = JSON.stringify(manifest);
    let jws = this.signed.get(payload);
    if (jws === undefined) {
      jws = this.keyId().then((kid) =>
        new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: this.alg, kid }).sign(this.privateKey),
      );
      // A manifest only changes with configuration; keep the few variants seen.
      if (this.signed.size >= 8) this.signed.clear();
      this.signed.set(payload, jws);
    }
    return jws;
  }
}

function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return createPrivateKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' });
  return createPrivateKey(trimmed.replace(/\\n/g, '\n'));
}
