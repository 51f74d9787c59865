/**
 * A thread that translates the processor bench's agent turns, as records, until told to stop:
 * the load AaepWorkerSpanProcessor's worker puts on the machine, without any span capture.
 */
import { parentPort } from 'node:worker_threads';
import { AaepSpanProcessor } from '../src/index.js';
import { agentTurnRecords } from './agentTurnRecords.js';

const turns = Array.from({ length: 200 }, (_, n) => agentTurnRecords(n));
let stopping = false;
parentPort!.on('message', () => (stopping = true));
parentPort!.postMessage('running');
while (!stopping) {
  const processor = new AaepSpanProcessor({ agentId: 'bench' });
  for (const records of turns) for (const record of records) processor.acceptRecord(record);
  await processor.shutdown();
  // Lets the stop message in.
  await new Promise((resolve) => setImmediate(resolve));
}
parentPort!.close();
