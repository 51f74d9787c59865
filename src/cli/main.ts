#!/usr/bin/env node
/**
 * aaep-otel: listen to an agent from the terminal. `aaep-otel tail <url>` prints its
 * AAEP stream as plain lines and asks you when the agent needs an answer.
 */
import { TAIL_USAGE, UsageError, parseTailArgs } from './parseTailArgs.js';
import { tail } from './tail.js';

let options;
try {
  options = parseTailArgs(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n\n${TAIL_USAGE}`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(TAIL_USAGE);
  process.exit(0);
}

const stop = new AbortController();
// A second Ctrl-C leaves at once, should stopping hang.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => (stop.signal.aborted ? process.exit(130) : stop.abort()));
const code = await tail(options, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: stop.signal });
// Exit once the last line is out: stdout may be a pipe still flushing.
process.stdout.write('', () => process.exit(code));
