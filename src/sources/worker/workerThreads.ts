import { Worker } from 'node:worker_threads';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { readEnvString } from '../../env.js';

export type DiagLevelName = 'error' | 'warn' | 'info' | 'debug' | 'verbose';

/** A `diag` line a worker sends to the thread that started it, whose `diag` the application set up. */
export interface DiagMessage {
  readonly type: 'diag';
  readonly level: DiagLevelName;
  readonly message: string;
}

/**
 * Starts the worker module `name` beside `from` (a module's `import.meta.url`):
 * JavaScript when built, TypeScript from source (then loaded through tsx, as
 * tests and `npm start` run).
 */
export function loadWorker(from: string, name: string, workerData: unknown): Worker {
  const compiled = from.endsWith('.js');
  const url = new URL(`./${name}.${compiled ? 'js' : 'ts'}`, from);
  // None of the application's flags: its `--import` would set up a second SDK in the worker, `--input-type`
  // is for its own `-e` code, and V8 flags (`--expose-gc`, heap sizes) are refused here and apply anyway.
  const execArgv: string[] = [];
  if (compiled) return new Worker(url, { workerData, execArgv });
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(url.href)}))`;
  return new Worker(code, { eval: true, workerData, execArgv });
}

/** What a worker forwards: the SDK's `OTEL_LOG_LEVEL` (the level NodeSDK gives `diag`), else INFO. */
export function diagLevel(): number {
  const name = readEnvString('OTEL_LOG_LEVEL')?.toUpperCase();
  const level = name === undefined ? undefined : (DiagLogLevel as unknown as Record<string, number>)[name];
  return typeof level === 'number' ? level : DiagLogLevel.INFO;
}

/** In a worker: its `diag` goes to `send`, at `level` (see `diagLevel`), so nothing is sent that would be dropped. */
export function forwardDiag(send: (message: DiagMessage) => void, level: number): void {
  const forward = (name: DiagLevelName) => (message: string, ...args: unknown[]) => send({ type: 'diag', level: name, message: [message, ...args.map(describe)].join(' ') });
  const logger: DiagLogger = { error: forward('error'), warn: forward('warn'), info: forward('info'), debug: forward('debug'), verbose: forward('verbose') };
  diag.setLogger(logger, { logLevel: level as DiagLogLevel, suppressOverrideMessage: true });
}

/** A value as one line of text, for a message between threads. */
export function describe(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
