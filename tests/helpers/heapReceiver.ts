/**
 * The real receiver in a child process started with `--expose-gc`, so a test can
 * measure what its stores cost: it prints its URL as `{"url": …}`, then its JSON
 * log lines, and answers each "heap" line on stdin with `{"heap": bytes}` (heap
 * and off-heap memory after a full collection, of its thread and its translation workers).
 */
import { createInterface } from 'node:readline';
import { readReceiverConfig } from '../../collector/receiverConfig.js';
import { startReceiver } from '../../collector/startReceiver.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const config = readReceiverConfig(['--port', '0', ...process.argv.slice(2)], process.env);
if (config === 'help') throw new Error('no --help here');
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const receiver = await startReceiver(config, (level, msg, fields = {}) => print({ level, msg, ...fields }));
print({ url: receiver.url });

/** The receiver's thread and its translation workers, each after full collections. */
async function measure(): Promise<number> {
  for (let i = 0; i < 4; i++) gc!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + (await receiver.workerMemory());
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'heap') void measure().then((heap) => print({ heap }));
});
process.stdin.on('end', () => void receiver.close().then(() => process.exit(0)));
