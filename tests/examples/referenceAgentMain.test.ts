import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectSse, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { startExample } from '../helpers/exampleProcess.js';


/** Runs `npm start`'s script as a child process. */
function startMain(args: string[]) {
  return startExample('examples/reference-agent/main.ts', ['--port', '0', '--quiet-spans', ...args]);
}

describe('npm start (the reference agent)', () => {
  it('prints a URL where a subscriber hears whole, legal sessions of its sample requests', async () => {
    const { child, url } = await startMain(['--interval', '1000', '--samples', '4']);
    try {
      const client = await connectSse(url);
      await client.ended;
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      // A session the client joined mid-way came first in its catch-up, session.started included.
      const heardFromStart = new Set(client.events.filter((e) => e.type === 'aaep:agent.session.started').map((e) => e.session_id));
      const whole: WireEvent[] = client.events.filter((e) => heardFromStart.has(e.session_id));
      expect(heardFromStart.size).toBeGreaterThanOrEqual(3);
      expectLegalStream(whole, { catchUp: client.catchUp });
      const types = new Set(whole.map((e) => e.type));
      for (const type of ['aaep:agent.tool.invoked', 'aaep:agent.tool.completed', 'aaep:agent.output.streaming', 'aaep:agent.progress.updated', 'aaep:agent.session.completed']) {
        expect(types).toContain(type);
      }
    } finally {
      child.kill();
    }
  }, 60_000);

  it("stops its sample requests at the first message, so a driver's sessions are not interleaved with them", async () => {
    const { child, url } = await startMain(['--interval', '300']);
    try {
      const client = await connectSse(url);
      await client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.session.started'), 20_000);
      const response = await fetch(url.replace('/events', '/messages'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'user_input', text: 'What is AAEP?' }),
      });
      const { session_id: mine } = (await response.json()) as { session_id: string };
      await client.waitFor((events) => events.some((e) => e.session_id === mine && e.type === 'aaep:agent.session.completed'), 20_000);
      // Samples run back to back every 300 ms while they run; none may start after the driver's.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const starts = client.events.filter((e) => e.type === 'aaep:agent.session.started').map((e) => e.session_id);
      expect(starts.at(-1)).toBe(mine);
      client.close();
    } finally {
      child.kill();
    }
  }, 60_000);
});
