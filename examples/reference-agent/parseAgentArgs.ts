/**
 * The command line of `npm start` (the reference agent), read with node:util
 * parseArgs in strict mode: an unknown option or a stray word is a usage error,
 * said in one line with the usage, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_SESSIONS } from './ReferenceAgent.js';

export interface AgentArgs {
  /** AAEP server port; undefined leaves it to AAEP_PORT or the library's default. */
  readonly port: number | undefined;
  readonly intervalMs: number;
  /** Sample requests before stopping; undefined: until a message arrives. */
  readonly samples: number | undefined;
  readonly auto: boolean;
  readonly quietSpans: boolean;
  readonly maxSessions: number;
}

export type ParsedAgentArgs = { readonly kind: 'run'; readonly args: AgentArgs } | { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string };

export const USAGE = `Usage: npm start -- [options]     (or: npx tsx examples/reference-agent/main.ts [options])

  --port N           AAEP server port (default AAEP_PORT or 4319; 0 picks a free one)
  --interval MS      time between sample requests (default 4000)
  --samples N        stop after N sample requests (default: until a message arrives)
  --no-auto          no sample requests: only what you send
  --quiet-spans      do not print span lines
  --max-sessions N   sessions that may run at once; more get 429 (default AAEP_MAX_SESSIONS or ${DEFAULT_MAX_SESSIONS})
  -h, --help         show this help

Options go after "--": npm keeps options before it for itself.`;

const OPTIONS = {
  port: { type: 'string' },
  interval: { type: 'string' },
  samples: { type: 'string' },
  'no-auto': { type: 'boolean' },
  'quiet-spans': { type: 'boolean' },
  'max-sessions': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `env` is consulted for AAEP_MAX_SESSIONS and for what npm did with options given
 * before "--": `npm start --port 5406` hands the script only "5406" and keeps
 * `--port` as its own config (npm_config_port), which the message then explains.
 */
export function parseAgentArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedAgentArgs {
  const swallowed = Object.keys(OPTIONS).filter((name) =>
    [name, name.replace(/^no-/, '')].some((key) => env[`npm_config_${key.replace(/-/g, '_')}`] !== undefined),
  );
  const hint = swallowed.length > 0 ? `npm kept ${swallowed.map((name) => `--${name}`).join(', ')} for itself: put options after "--", e.g. npm start -- --${swallowed[0]}${OPTIONS[swallowed[0] as keyof typeof OPTIONS].type === 'string' ? ' N' : ''}` : undefined;
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    const problem = (error as Error).message.replace(/\.?$/, '.');
    return { kind: 'error', message: hint === undefined ? problem : `${problem} ${hint}.` };
  }
  // Options npm kept never reach us; running without them would silently ignore them.
  if (hint !== undefined) return { kind: 'error', message: `${hint}.` };
  if (values.help === true) return { kind: 'help' };
  const problems: string[] = [];
  const whole = (raw: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    if (raw === undefined || raw.trim() === '') return undefined;
    const value = Number(raw);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}.`);
    return undefined;
  };
  const args: AgentArgs = {
    port: whole(values.port, '--port', 0, 65_535),
    intervalMs: whole(values.interval, '--interval', 0) ?? 4000,
    samples: whole(values.samples, '--samples', 0),
    auto: values['no-auto'] !== true,
    quietSpans: values['quiet-spans'] === true,
    maxSessions: whole(values['max-sessions'], '--max-sessions', 1) ?? whole(env.AAEP_MAX_SESSIONS, 'AAEP_MAX_SESSIONS', 1) ?? DEFAULT_MAX_SESSIONS,
  };
  return problems.length > 0 ? { kind: 'error', message: problems.join(' ') } : { kind: 'run', args };
}
