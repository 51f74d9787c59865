/**
 * What every runnable example does around its agent: stop cleanly on Ctrl-C or
 * SIGTERM (flushing spans and ending the streams), and repeat a turn every few
 * seconds, or, with --once, run one turn as soon as a subscriber is listening.
 */
import { startAaepServer, type AaepServer, type EventHub } from '../src/index.js';

interface Stoppable {
  shutdown(): Promise<void>;
}
interface Closable {
  close(): Promise<void>;
}

export interface ExampleStopper {
  readonly stopping: boolean;
  stop(code?: number): Promise<void>;
}

/** Stops the SDK, then the AAEP server, once; on SIGINT/SIGTERM too. */
export function stopOnSignals(sdk: Stoppable, server: Closable): ExampleStopper {
  const stopper = {
    stopping: false,
    async stop(code = 0): Promise<void> {
      if (stopper.stopping) return;
      stopper.stopping = true;
      await sdk.shutdown();
      await server.close();
      process.exit(code);
    },
  };
  process.on('SIGINT', () => void stopper.stop());
  process.on('SIGTERM', () => void stopper.stop());
  return stopper;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** With `once`, waits up to 10 s for a subscriber, runs the first input and stops; else cycles through the inputs until stopped. */
export async function runTurns<T>(options: {
  readonly hub: EventHub;
  readonly stopper: ExampleStopper;
  readonly once: boolean;
  readonly intervalMs: number;
  readonly inputs: readonly T[];
  readonly turn: (input: T) => Promise<void>;
}): Promise<void> {
  const { hub, stopper, inputs, turn } = options;
  if (options.once) {
    for (let waited = 0; hub.subscriberCount === 0 && waited < 10_000; waited += 50) await sleep(50);
    await turn(inputs[0]!);
    await stopper.stop();
    return;
  }
  for (let n = 0; !stopper.stopping; n++) {
    const started = Date.now();
    await turn(inputs[n % inputs.length]!);
    await sleep(Math.max(0, options.intervalMs - (Date.now() - started)));
  }
}

/**
 * Starts the AAEP server on `port` (else AAEP_PORT or the default) and prints where
 * to listen; a port in use ends the process with a hint, after `stop`.
 */
export async function serveExample(options: { readonly hub: EventHub; readonly port: string | undefined; readonly title: string; readonly once: boolean; stop(): Promise<void> }): Promise<AaepServer> {
  let server: AaepServer;
  try {
    server = await startAaepServer({ hub: options.hub, ...(options.port !== undefined && { port: Number(options.port) }) });
  } catch (error) {
    console.error(`Could not start the AAEP server: ${(error as Error).message}`);
    console.error('Another program may be using the port; choose one with --port or AAEP_PORT.');
    await options.stop();
    process.exit(1);
  }
  console.log(options.title);
  console.log(`AAEP events (SSE): ${server.url}/aaep/v1/events`);
  console.log(`Watch them:        curl -N ${server.url}/aaep/v1/events`);
  console.log(options.once ? 'Runs one turn when a subscriber connects, then exits.' : 'A turn every few seconds. Ctrl-C stops.');
  return server;
}
