import { parseArgs } from 'node:util';

/** Every setting of the receiver: a flag, else an AAEP_* variable, else the default. */
export interface ReceiverConfig {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  readonly retentionEvents: number;
  readonly retentionBytes: number;
  readonly quietMs: number;
  readonly agentId: string;
  readonly agentName: string | undefined;
  readonly corsOrigins: readonly string[];
  /** OTLP/gRPC port; off when undefined. */
  readonly grpcPort: number | undefined;
  /** redis://… of the hub shared with other receivers; the in-memory hub when undefined. */
  readonly hubUrl: string | undefined;
  /** How long a receiver's sessions outlive it on a shared hub before another ends them. */
  readonly hubLeaseMs: number;
}

/** 4320: next to a Collector's 4317 (gRPC) and 4318 (HTTP) without colliding. */
export const DEFAULT_RECEIVER_PORT = 4320;

const SETTINGS = {
  host: { env: 'AAEP_RECEIVER_HOST', help: 'interface to listen on', fallback: '127.0.0.1' },
  port: { env: 'AAEP_RECEIVER_PORT', help: 'port for OTLP/HTTP and AAEP (0 picks one)', fallback: String(DEFAULT_RECEIVER_PORT) },
  token: { env: 'AAEP_TOKEN', help: 'bearer token required on the stream, replies and decisions', fallback: undefined },
  'max-body-bytes': { env: 'AAEP_MAX_BODY_BYTES', help: 'largest OTLP request body', fallback: String(4 * 1024 * 1024) },
  'retention-events': { env: 'AAEP_RETENTION_EVENTS', help: 'events kept for Last-Event-ID resume', fallback: '10000' },
  'retention-bytes': { env: 'AAEP_RETENTION_BYTES', help: 'bytes kept for resume', fallback: String(16 * 1024 * 1024) },
  'quiet-ms': { env: 'AAEP_TRACE_QUIET_MS', help: 'wait this long for a missing parent span before announcing anyway', fallback: '5000' },
  'agent-id': { env: 'AAEP_AGENT_ID', help: 'producer.agent_id on every event', fallback: 'aaep-otel-receiver' },
  'agent-name': { env: 'AAEP_AGENT_NAME', help: 'name used in announcements', fallback: undefined },
  'cors-origins': { env: 'AAEP_CORS_ORIGINS', help: 'comma-separated browser origins allowed (CORS)', fallback: '' },
  'grpc-port': { env: 'AAEP_RECEIVER_GRPC_PORT', help: 'port for OTLP/gRPC (0 picks one; off unless set)', fallback: undefined },
  'hub-url': { env: 'AAEP_HUB_URL', help: 'redis://host:port shared by several receivers (default: in memory)', fallback: undefined },
  'hub-lease-ms': { env: 'AAEP_HUB_LEASE_MS', help: 'a dead receiver\'s open sessions are ended after this long', fallback: '10000' },
} as const;

/** Every environment variable the receiver reads (for checking deployment manifests). */
export const RECEIVER_ENVIRONMENT: readonly string[] = Object.values(SETTINGS).map((setting) => setting.env);

export class ConfigError extends Error {}

export function usage(): string {
  const lines = Object.entries(SETTINGS).map(
    ([flag, s]) => `  --${flag.padEnd(18)} ${s.env.padEnd(22)} ${s.help}${s.fallback ? ` (default ${s.fallback})` : ''}`,
  );
  return `Usage: aaep-otel-receiver [options]\n\n  flag                 environment            meaning\n${lines.join('\n')}\n  --help               this text\n`;
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
  return {
    host: get('host')!,
    port: number('port', get('port')!, 0),
    token: get('token'),
    maxBodyBytes: number('max-body-bytes', get('max-body-bytes')!, 1024),
    retentionEvents: number('retention-events', get('retention-events')!, 1),
    retentionBytes: number('retention-bytes', get('retention-bytes')!, 1024 * 1024),
    quietMs: number('quiet-ms', get('quiet-ms')!, 0),
    agentId: get('agent-id')!,
    agentName: get('agent-name'),
    corsOrigins: (get('cors-origins') ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    grpcPort: get('grpc-port') === undefined ? undefined : number('grpc-port', get('grpc-port')!, 0),
    hubUrl: hubUrl(get('hub-url')),
    hubLeaseMs: number('hub-lease-ms', get('hub-lease-ms')!, 100),
  };
}

function hubUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(raw)) throw new ConfigError(`hub-url must be a redis:// or rediss:// URL, not "${raw}"`);
  return raw;
}
