import { afterEach, describe, expect, it } from 'vitest';
import { readReceiverConfig } from '../../collector/receiverConfig.js';
import { startReceiver } from '../../collector/startReceiver.js';
import { connectSse, sessionDone, type SseClient } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const NOW = BigInt(Date.now()) * 1_000_000n;

async function exportSession(url: string, traceId: string): Promise<void> {
  const span = {
    traceId,
    spanId: 'a000000000000001',
    name: 'invoke_agent',
    kind: 1,
    startTimeUnixNano: String(NOW),
    endTimeUnixNano: String(NOW + 5_000_000n),
    attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }],
    status: {},
  };
  const response = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
  });
  expect(response.status).toBe(200);
}

describe('event-stream subscribers', () => {
  it('turn the subscriber beyond the bound away with 503, Retry-After and a JSON reason while the others keep receiving', async () => {
    const config = readReceiverConfig(['--port', '0', '--max-subscribers', '3'], {});
    if (config === 'help') throw new Error('unreachable');
    const logs: Array<Record<string, unknown>> = [];
    const receiver = await startReceiver(config, (_level, message, fields = {}) => logs.push({ message, ...fields }));
    cleanups.push(() => receiver.close());
    const events = `${receiver.url}/aaep/v1/events`;
    const clients: SseClient[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connectSse(events);
      cleanups.push(() => client.close());
      expect(client.status).toBe(200);
      clients.push(client);
    }

    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await fetch(events, { headers: { Accept: 'text/event-stream' } });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(await refused.json()).toEqual({ error: 'too_many_subscribers', message: expect.stringContaining('retry later') });
    }
    const ready = (await (await fetch(`${receiver.url}/readyz`)).json()) as { subscribers: unknown };
    expect(ready.subscribers).toEqual({ size: 3, limit: 3 });

    await exportSession(receiver.url, 'f0000000000000000000000000000001');
    for (const client of clients) {
      await client.waitFor(sessionDone());
      expectLegalStream(client.events);
    }
    // Reported once for the episode, not once per refused connection.
    expect(logs.filter((line) => line.limit === 'subscribers')).toHaveLength(1);

    // One leaves: a newcomer gets in.
    clients[0]!.close();
    await expect.poll(() => receiver.hub.subscriberCount).toBe(2);
    const newcomer = await connectSse(events);
    cleanups.push(() => newcomer.close());
    expect(newcomer.status).toBe(200);
    await exportSession(receiver.url, 'f0000000000000000000000000000002');
    await newcomer.waitFor(sessionDone());
  });
});
