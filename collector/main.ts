#!/usr/bin/env node
/**
 * aaep-otel-receiver: an OTLP/HTTP trace endpoint that turns the spans it
 * receives into an AAEP stream. Run `npm run receiver -- --help` for the options.
 */
import { readReceiverConfig, usage } from './receiverConfig.js';
import { startReceiver, type Log } from './startReceiver.js';

/** Structured logs: one JSON object per line on stdout. */
const log: Log = (level, message, fields = {}) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
};

let config;
try {
  config = readReceiverConfig(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${usage()}`);
  process.exit(2);
}
if (config === 'help') {
  process.stdout.write(usage());
  process.exit(0);
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
try {
  receiver = await startReceiver(config, log);
} catch (error) {
  log('error', 'could not start', { error: (error as Error).message, host: config.host, port: config.port });
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal });
    const force = setTimeout(() => {
      log('error', 'shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    receiver.close().then(() => process.exit(0), (error: unknown) => {
      log('error', 'shutdown failed', { error: String(error) });
      process.exit(1);
    });
  });
}
