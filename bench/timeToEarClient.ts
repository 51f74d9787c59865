/**
 * The subscriber of bench/time-to-ear.ts, in its own process: follows the SSE stream and,
 * for every output chunk sent while measuring, records now − the send time in its text.
 * Talks to the parent over IPC.
 */
import { createParser } from 'eventsource-parser';

const SENT = /"chunk":"Chunk m(\d+) done\. "/;
let latencies: number[] = [];

const nowMicros = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

process.on('message', async (command: { url?: string; reset?: boolean; collect?: boolean }) => {
  if (command.reset === true) latencies = [];
  if (command.collect === true) {
    const sorted = [...latencies].sort((a, b) => a - b);
    process.send!({ p50: percentile(sorted, 50), p99: percentile(sorted, 99), heard: sorted.length });
  }
  if (command.url === undefined) return;
  const response = await fetch(command.url, { headers: { Accept: 'text/event-stream' } });
  process.send!({ open: true });
  const parser = createParser({
    onEvent(message) {
      const sent = SENT.exec(message.data);
      if (sent !== null) latencies.push((nowMicros() - Number(sent[1])) / 1000);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
});
