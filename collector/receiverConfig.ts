import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { parseTokenMap, type ListenerOptions } from '../src/http/ListenerAuth.js';
import { LIMIT_DEFAULTS, LIMIT_ENV } from '../src/limits.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../src/http/listen.js';
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_PENDING_BYTES } from '../src/sources/otlp/createOtlpTraceHandler.js';

/** Every setting of the receiver: a flag, else an AAEP_* variable, else the default. */
export interface ReceiverConfig {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  /** What span senders (exporters, and agents fetching decisions) must present; the stream token unless set. */
  readonly ingestToken: string | undefined;
  /** Listeners who are one principal each (token map, JWTs); the token is then the operator's. */
  readonly listeners: ListenerOptions;
  readonly maxBodyBytes: number;
  readonly maxPendingBytes: number;
  readonly bodyTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retentionEvents: number;
  readonly retentionBytes: number;
  readonly quietMs: number;
  readonly agentId: string;
  readonly agentName: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly maxSessions: number;
  readonly maxSpansPerSession: number;
  readonly maxHeldSpansPerTrace: number;
  readonly maxHeldSpans: number;
  readonly maxSubscribers: number;
  readonly maxPendingReplies: number;
  readonly maxDecisions: number;
  /** OTLP/gRPC port; off when undefined. */
  readonly grpcPort: number | undefined;
  /** redis://… of the hub shared with other receivers; the in-memory hub when undefined. */
  readonly hubUrl: string | undefined;
  /** How long a receiver's sessions outlive it on a shared hub before another ends them. */
  readonly hubLeaseMs: number;
  /** Translation worker threads, each trace translated by one; 0 translates in the receiver's own thread. */
  readonly workers: number;
}

/** 4320: next to a Collector's 4317 (gRPC) and 4318 (HTTP) without colliding. */
export const DEFAULT_RECEIVER_PORT = 4320;

const SETTINGS = {
  host: { env: 'AAEP_RECEIVER_HOST', help: 'interface to listen on', fallback: '127.0.0.1' },
  port: { env: 'AAEP_RECEIVER_PORT', help: 'port for OTLP/HTTP and AAEP (0 picks one)', fallback: String(DEFAULT_RECEIVER_PORT) },
  token: { env: 'AAEP_TOKEN', help: 'bearer token required on the stream, replies and messages', fallback: undefined },
  'ingest-token': { env: 'AAEP_INGEST_TOKEN', help: 'bearer token required on /v1/traces and decisions (default: the token)', fallback: undefined },
  'listener-tokens': { env: 'AAEP_LISTENER_TOKENS', help: 'token=principal,… : listeners who hear only their own sessions', fallback: undefined },
  'jwt-secret': { env: 'AAEP_JWT_SECRET', help: 'HS256 secret of listener JWTs', fallback: undefined },
  'jwt-jwks-url': { env: 'AAEP_JWT_JWKS_URL', help: 'JWKS URL of the keys signing listener JWTs', fallback: undefined },
  'jwt-issuer': { env: 'AAEP_JWT_ISSUER', help: 'iss listener JWTs must have', fallback: undefined },
  'jwt-audience': { env: 'AAEP_JWT_AUDIENCE', help: 'aud listener JWTs must have', fallback: undefined },
  'jwt-principal-claim': { env: 'AAEP_JWT_PRINCIPAL_CLAIM', help: 'JWT claim naming the principal', fallback: 'sub' },
  'unowned-sessions': { env: 'AAEP_UNOWNED_SESSIONS', help: 'who hears sessions no principal owns: operator or everyone', fallback: 'operator' },
  'max-body-bytes': { env: 'AAEP_MAX_BODY_BYTES', help: 'largest OTLP request body', fallback: String(4 * 1024 * 1024) },
  'max-pending-bytes': { env: 'AAEP_MAX_PENDING_BYTES', help: 'OTLP body bytes being received at once before 429', fallback: String(DEFAULT_MAX_PENDING_BYTES) },
  'body-timeout-ms': { env: 'AAEP_BODY_TIMEOUT_MS', help: 'time to send an OTLP body once the headers are in', fallback: String(DEFAULT_BODY_TIMEOUT_MS) },
  'headers-timeout-ms': { env: 'AAEP_HEADERS_TIMEOUT_MS', help: 'time to send the request headers', fallback: String(DEFAULT_HEADERS_TIMEOUT_MS) },
  'request-timeout-ms': { env: 'AAEP_REQUEST_TIMEOUT_MS', help: 'time to send a whole request', fallback: String(DEFAULT_REQUEST_TIMEOUT_MS) },
  'retention-events': { env: 'AAEP_RETENTION_EVENTS', help: 'events kept for Last-Event-ID resume', fallback: '10000' },
  'retention-bytes': { env: 'AAEP_RETENTION_BYTES', help: 'bytes kept for resume', fallback: String(16 * 1024 * 1024) },
  'quiet-ms': { env: 'AAEP_TRACE_QUIET_MS', help: 'wait this long for a missing parent span before announcing anyway', fallback: '5000' },
  'agent-id': { env: 'AAEP_AGENT_ID', help: 'producer.agent_id on every event', fallback: 'aaep-otel-receiver' },
  'agent-name': { env: 'AAEP_AGENT_NAME', help: 'name used in announcements', fallback: undefined },
  'cors-origins': { env: 'AAEP_CORS_ORIGINS', help: 'comma-separated browser origins allowed (CORS)', fallback: '' },
  'max-sessions': { env: LIMIT_ENV.sessions, help: 'open sessions; spans opening more are refused (partial_success)', fallback: String(LIMIT_DEFAULTS.sessions) },
  'max-spans-per-session': { env: LIMIT_ENV.spansPerSession, help: 'open spans per session; more are refused', fallback: String(LIMIT_DEFAULTS.spansPerSession) },
  'max-held-spans-per-trace': { env: LIMIT_ENV.heldSpansPerTrace, help: "one trace's spans held for a missing parent; more are refused", fallback: String(LIMIT_DEFAULTS.heldSpansPerTrace) },
  'max-held-spans': { env: LIMIT_ENV.heldSpans, help: 'spans held for a missing parent in all traces; more are refused', fallback: String(LIMIT_DEFAULTS.heldSpans) },
  'max-subscribers': { env: LIMIT_ENV.subscribers, help: 'event-stream subscribers; more get 503 + Retry-After', fallback: String(LIMIT_DEFAULTS.subscribers) },
  'max-pending-replies': { env: LIMIT_ENV.pendingReplies, help: 'outstanding reply tokens; questions beyond take their default', fallback: String(LIMIT_DEFAULTS.pendingReplies) },
  'max-decisions': { env: LIMIT_ENV.decisions, help: 'answers kept for remote agents to fetch; the oldest go first', fallback: String(LIMIT_DEFAULTS.decisions) },
  'grpc-port': { env: 'AAEP_RECEIVER_GRPC_PORT', help: 'port for OTLP/gRPC (0 picks one; off unless set)', fallback: undefined },
  'hub-url': { env: 'AAEP_HUB_URL', help: 'redis://host:port shared by several receivers (default: in memory)', fallback: undefined },
  'hub-lease-ms': { env: 'AAEP_HUB_LEASE_MS', help: 'a dead receiver\'s open sessions are ended after this long', fallback: '10000' },
  workers: { env: 'AAEP_RECEIVER_WORKERS', help: "translation threads, each trace in one (0: the receiver's own; default one per core)", fallback: undefined },
} as const;

/** Every environment variable the receiver reads (for checking deployment manifests). */
export const RECEIVER_ENVIRONMENT: readonly string[] = Object.values(SETTINGS).map((setting) => setting.env);

export class ConfigError extends Error {}

export function usage(): string {
  const lines = Object.entries(SETTINGS).map(
    ([flag, s]) => `  --${flag.padEnd(24)} ${s.env.padEnd(29)} ${s.help}${s.fallback ? ` (default ${s.fallback})` : ''}`,
  );
  return `Usage: aaep-otel-receiver [options]\n\n  ${'flag'.padEnd(26)} ${'environment'.padEnd(29)} meaning\n${lines.join('\n')}\n  ${'--help'.padEnd(26)} this text\n`;
}

function number(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be a whole number of at least ${min}, not "${raw}"`);
  return value;
}

export function readReceiverConfig(argv: string[], env: NodeJS.ProcessEnv): ReceiverConfig | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(SETTINGS).map((flag) => [flag, { type: 'string' as const }])),
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const get = (flag: keyof typeof SETTINGS): string | undefined => {
    const fromFlag = (values as Record<string, string | boolean | undefined>)[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    const fromEnv = env[SETTINGS[flag].env]?.trim();
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : SETTINGS[flag].fallback;
  };
  const token = get('token');
  const headersTimeoutMs = number('headers-timeout-ms', get('headers-timeout-ms')!, 1);
  const requestTimeoutMs = number('request-timeout-ms', get('request-timeout-ms')!, 1);
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError(`headers-timeout-ms (${headersTimeoutMs}) must not exceed request-timeout-ms (${requestTimeoutMs})`);
  const maxBodyBytes = number('max-body-bytes', get('max-body-bytes')!, 1024);
  const maxPendingBytes = number('max-pending-bytes', get('max-pending-bytes')!, 1024);
  if (maxPendingBytes < maxBodyBytes) throw new ConfigError(`max-pending-bytes (${maxPendingBytes}) must be at least max-body-bytes (${maxBodyBytes}), or a full-size export could never be taken`);
  return {
    host: get('host')!,
    port: number('port', get('port')!, 0),
    token,
    ingestToken: get('ingest-token') ?? token,
    listeners: listenerOptions(get),
    maxBodyBytes,
    maxPendingBytes,
    bodyTimeoutMs: number('body-timeout-ms', get('body-timeout-ms')!, 1),
    headersTimeoutMs,
    requestTimeoutMs,
    retentionEvents: number('retention-events', get('retention-events')!, 1),
    retentionBytes: number('retention-bytes', get('retention-bytes')!, 1024 * 1024),
    quietMs: number('quiet-ms', get('quiet-ms')!, 0),
    agentId: get('agent-id')!,
    agentName: get('agent-name'),
    corsOrigins: (get('cors-origins') ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    maxSessions: number('max-sessions', get('max-sessions')!, 1),
    maxSpansPerSession: number('max-spans-per-session', get('max-spans-per-session')!, 1),
    maxHeldSpansPerTrace: number('max-held-spans-per-trace', get('max-held-spans-per-trace')!, 1),
    maxHeldSpans: number('max-held-spans', get('max-held-spans')!, 1),
    maxSubscribers: number('max-subscribers', get('max-subscribers')!, 1),
    maxPendingReplies: number('max-pending-replies', get('max-pending-replies')!, 1),
    maxDecisions: number('max-decisions', get('max-decisions')!, 1),
    grpcPort: get('grpc-port') === undefined ? undefined : number('grpc-port', get('grpc-port')!, 0),
    hubUrl: hubUrl(get('hub-url')),
    hubLeaseMs: number('hub-lease-ms', get('hub-lease-ms')!, 100),
    workers: get('workers') === undefined ? availableParallelism() : number('workers', get('workers')!, 0),
  };
}

function listenerOptions(get: (flag: keyof typeof SETTINGS) => string | undefined): ListenerOptions {
  const unowned = get('unowned-sessions');
  if (unowned !== 'operator' && unowned !== 'everyone') throw new ConfigError(`unowned-sessions must be operator or everyone, not ${JSON.stringify(unowned)}`);
  const secret = get('jwt-secret');
  const jwksUrl = get('jwt-jwks-url');
  const issuer = get('jwt-issuer');
  const audience = get('jwt-audience');
  return {
    tokens: parseTokenMap(get('listener-tokens')),
    ...(secret !== undefined && { jwtSecret: secret }),
    ...(jwksUrl !== undefined && { jwksUrl }),
    ...(issuer !== undefined && { issuer }),
    ...(audience !== undefined && { audience }),
    principalClaim: get('jwt-principal-claim')!,
    unownedSessions: unowned,
  };
}

function hubUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(raw)) throw new ConfigError(`hub-url must be a redis:// or rediss:// URL, not "${raw}"`);
  return raw;
}
