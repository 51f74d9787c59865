import { parseArgs } from 'node:util';
import { LIMIT_DEFAULTS, LIMIT_ENV } from '../src/limits.js';

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
  readonly maxSessions: number;
  readonly maxSpansPerSession: number;
  readonly maxHeldSpansPerTrace: number;
  readonly maxHeldSpans: number;
  readonly maxSubscribers: number;
  readonly maxPendingReplies: number;
  readonly maxDecisions: number;
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
  'max-sessions': { env: LIMIT_ENV.sessions, help: 'open sessions; spans opening more are refused (partial_success)', fallback: String(LIMIT_DEFAULTS.sessions) },
  'max-spans-per-session': { env: LIMIT_ENV.spansPerSession, help: 'open spans per session; more are refused', fallback: String(LIMIT_DEFAULTS.spansPerSession) },
  'max-held-spans-per-trace': { env: LIMIT_ENV.heldSpansPerTrace, help: "one trace's spans held for a missing parent; more are refused", fallback: String(LIMIT_DEFAULTS.heldSpansPerTrace) },
  'max-held-spans': { env: LIMIT_ENV.heldSpans, help: 'spans held for a missing parent in all traces; more are refused', fallback: String(LIMIT_DEFAULTS.heldSpans) },
  'max-subscribers': { env: LIMIT_ENV.subscribers, help: 'event-stream subscribers; more get 503 + Retry-After', fallback: String(LIMIT_DEFAULTS.subscribers) },
  'max-pending-replies': { env: LIMIT_ENV.pendingReplies, help: 'outstanding reply tokens; questions beyond take their default', fallback: String(LIMIT_DEFAULTS.pendingReplies) },
  'max-decisions': { env: LIMIT_ENV.decisions, help: 'answers kept for remote agents to fetch; the oldest go first', fallback: String(LIMIT_DEFAULTS.decisions) },
} as const;

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
    maxSessions: number('max-sessions', get('max-sessions')!, 1),
    maxSpansPerSession: number('max-spans-per-session', get('max-spans-per-session')!, 1),
    maxHeldSpansPerTrace: number('max-held-spans-per-trace', get('max-held-spans-per-trace')!, 1),
    maxHeldSpans: number('max-held-spans', get('max-held-spans')!, 1),
    maxSubscribers: number('max-subscribers', get('max-subscribers')!, 1),
    maxPendingReplies: number('max-pending-replies', get('max-pending-replies')!, 1),
    maxDecisions: number('max-decisions', get('max-decisions')!, 1),
  };
}
