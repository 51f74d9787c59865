import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../src/hub/EventHub.js';
import { startAaepServer, type AaepServer } from '../../src/http/startAaepServer.js';
import { listen, request, type Listener } from '../helpers/aaepListener.js';

let server: AaepServer | undefined;
const listeners: Listener[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const listener of listeners.splice(0)) listener.close();
  await server?.close();
  server = undefined;
});

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

async function start(manifestSigningKey?: string): Promise<string> {
  const hub = new EventHub({ producer: { agent_id: 'signed-agent' } });
  server = await startAaepServer({ hub, port: 0, ...(manifestSigningKey !== undefined && { manifestSigningKey }) });
  return server.url;
}

async function verifyWithPublishedKey(url: string, jws: string) {
  const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
  const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks));
  return { manifest: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>, protectedHeader, jwks };
}

describe('signed manifests', () => {
  it('serves the manifest as a JWS that verifies with the published key (ES256 for a P-256 key)', async () => {
    const url = await start(p256());
    const response = await fetch(`${url}/.well-known/aaep-manifest.jws`);
    expect(response.headers.get('content-type')).toMatch(/^application\/jose/);
    const { manifest, protectedHeader, jwks } = await verifyWithPublishedKey(url, await response.text());
    const plain = (await (await fetch(`${url}/.well-known/aaep-manifest.json`)).json()) as Record<string, unknown>;
    expect(manifest).toEqual(plain);
    expect(manifest).toMatchObject({ agent_id: 'signed-agent', endpoints: { signed_manifest: '/.well-known/aaep-manifest.jws', jwks: '/.well-known/jwks.json' } });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: jwks.keys[0]!.kid });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('refuses to verify a manifest whose payload was altered', async () => {
    const url = await start(p256());
    const [header, , signature] = (await (await fetch(`${url}/.well-known/aaep-manifest.jws`)).text()).split('.');
    const forged = Buffer.from(JSON.stringify({ agent_id: 'impostor' })).toString('base64url');
    await expect(verifyWithPublishedKey(url, `${header}.${forged}.${signature}`)).rejects.toThrow();
  });

  it('serves no JWS and no key when no signing key is configured', async () => {
    const url = await start();
    expect((await fetch(`${url}/.well-known/aaep-manifest.jws`)).status).toBe(404);
    expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(404);
  });

  it('signs with a JWK from AAEP_MANIFEST_SIGNING_KEY (EdDSA for Ed25519), and with RS256 for an RSA key', async () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    vi.stubEnv('AAEP_MANIFEST_SIGNING_KEY', JSON.stringify(ed));
    let url = await start();
    let verified = await verifyWithPublishedKey(url, await (await fetch(`${url}/.well-known/aaep-manifest.jws`)).text());
    expect(verified.protectedHeader.alg).toBe('EdDSA');
    await server!.close();
    vi.unstubAllEnvs();
    url = await start(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    verified = await verifyWithPublishedKey(url, await (await fetch(`${url}/.well-known/aaep-manifest.jws`)).text());
    expect(verified.protectedHeader.alg).toBe('RS256');
  });

  it('fails fast on a key it cannot sign with', async () => {
    const hub = new EventHub();
    const secp384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expect(startAaepServer({ hub, port: 0, manifestSigningKey: secp384 })).rejects.toThrow(/P-256, RSA or Ed25519/);
    await expect(startAaepServer({ hub, port: 0, manifestSigningKey: 'not a key' })).rejects.toThrow();
  });

  for (const transport of ['sse', 'ws'] as const) {
    it(`gives a subscription over ${transport} that accepts only signed manifests the JWS in subscription.accepted`, async () => {
      const url = await start(p256());
      const listener = await listen(transport, url);
      listeners.push(listener);
      const answer = await listener.send(request({ accept_signed_manifests_only: true }));
      const accepted = answer.body as { type: string; signed_manifest: string; honored_capabilities: Record<string, unknown>; producer: { agent_id: string } };
      expect(accepted).toMatchObject({ type: 'subscription.accepted', honored_capabilities: { accept_signed_manifests_only: true } });
      const { manifest } = await verifyWithPublishedKey(url, accepted.signed_manifest);
      expect(manifest.agent_id).toBe(accepted.producer.agent_id);
    });
  }
});
