/** The receiver (collector/main.ts) as a real child process, found by its structured logs. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ReceiverProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly grpcPort: number | undefined;
  output(): string;
  /** Sends the signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startReceiverProcess(args: string[], env: Record<string, string> = {}): Promise<ReceiverProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'collector/main.ts', '--port', '0', ...args], { cwd: root, env: { ...process.env, ...env } });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = await new Promise<{ url: string; grpcPort: number | undefined }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the receiver did not start:\n${output}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`the receiver exited (${code}):\n${output}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /"msg":"receiver listening","url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
      if (url === undefined) return;
      const wantsGrpc = args.includes('--grpc-port');
      const grpc = /"msg":"OTLP\/gRPC listening".*?"port":(\d+)/.exec(output)?.[1];
      if (wantsGrpc && grpc === undefined) return;
      clearTimeout(timer);
      resolve({ url, grpcPort: grpc === undefined ? undefined : Number(grpc) });
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  // Ready means caught up with the shared hub, if there is one.
  const deadline = Date.now() + 15_000;
  while ((await fetch(`${started.url}/readyz`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline) throw new Error(`the receiver never became ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    ...started,
    output: () => output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}
