import type { ConformanceLevel, Producer } from '../protocol/index.js';
import { AAEP_EVENT_TYPES } from '../protocol/index.js';
import { AAEP_VERSION } from '../translate/index.js';
import { PHRASE_LANGUAGES } from '../translate/messages/catalog.js';

export const MANIFEST_JWS_PATH = '/.well-known/aaep-manifest.jws';
export const JWKS_PATH = '/.well-known/jwks.json';
export const SUBSCRIPTIONS_PATH = '/aaep/v1/subscriptions';
export const WEBSOCKET_PATH = '/aaep/v1/ws';

/**
 * Levels claimed. Level 3 (spec §9.5.1): the handshake, rate, coalescing, filters, languages,
 * renegotiation, close with default decisions, and signed manifests.
 */
export const CONFORMANCE_LEVELS: readonly ConformanceLevel[] = [1, 2, 3];

export interface ManifestOptions {
  readonly producer: Producer;
  readonly authenticated: boolean;
  readonly signed: boolean;
  readonly paths: { readonly events: string; readonly replies: string; readonly messages: string };
}

/** The producer manifest (spec §5.10), as served at /.well-known/aaep-manifest.json and signed. */
export function producerManifest(options: ManifestOptions): Record<string, unknown> {
  const { producer } = options;
  return {
    '@context': 'https://aaep-protocol.org/context/v1',
    type: 'aaep:producer.manifest',
    agent_id: producer.agent_id,
    ...(producer.agent_name !== undefined && { agent_name: producer.agent_name }),
    ...(producer.agent_version !== undefined && { agent_version: producer.agent_version }),
    aaep_versions_supported: [AAEP_VERSION],
    conformance_levels_supported: CONFORMANCE_LEVELS,
    transports_supported: ['sse', 'websocket'],
    languages_supported: PHRASE_LANGUAGES,
    event_types_emitted: AAEP_EVENT_TYPES,
    default_verbosity: 'normal',
    endpoints: {
      ...options.paths,
      subscriptions: SUBSCRIPTIONS_PATH,
      websocket: WEBSOCKET_PATH,
      ...(options.signed && { signed_manifest: MANIFEST_JWS_PATH, jwks: JWKS_PATH }),
    },
    authentication: options.authenticated ? 'bearer' : 'none',
  };
}
