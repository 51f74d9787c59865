/** Runs an example (or `npm start`'s script) as a real child process and finds the events URL it prints. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { connectSse, type WireEvent } from './sseClient.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ExampleProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The printed `curl -N <url>` events URL. */
  readonly url: string;
  output(): string;
}

export async function startExample(script: string, args: string[]): Promise<ExampleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} printed no URL:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /curl -N (http:\/\/\S+\/aaep\/v1\/events)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  return { child, url, output: () => output };
}

/** Runs an example with `--once` on a free port and returns what a subscriber heard. */
export async function heardFromExample(script: string, args: string[] = []): Promise<WireEvent[]> {
  const { child, url, output } = await startExample(script, ['--port', '0', '--once', ...args]);
  try {
    const client = await connectSse(url);
    await client.ended;
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, output()).toBe(0);
    return client.events;
  } finally {
    child.kill();
  }
}
