import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connectSse, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';
import { startExample } from '../helpers/exampleProcess.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

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

  it("stops its sample requests at the first message: none starts after the driver's", async () => {
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

/** Runs a command to its end; resolves with its exit code and output, whatever the code. */
async function runToExit(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const script = 'examples/reference-agent/main.ts';

describe('npm start with options it cannot use', () => {
  it('explains `npm start --port 5406` (npm keeps --port for itself) with the usage and exits 2, no stack trace', async () => {
    const { code, stderr } = await runToExit('npm', ['start', '--port', '5406']);
    expect(code).toBe(2);
    expect(stderr).toContain('npm start: Unexpected argument \'5406\'. This command does not take positional arguments. npm kept --port for itself: put options after "--", e.g. npm start -- --port N.');
    expect(stderr).toContain('Usage: npm start -- [options]');
    expect(stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('names an unknown option in one line with the usage, and exits 2', async () => {
    const { code, stderr } = await runToExit(process.execPath, ['--import', 'tsx', script, '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toContain("npm start: Unknown option '--bogus'.");
    expect(stderr).toContain('--max-sessions N');
    expect(stderr).not.toMatch(/^\s+at /m);
    const help = await runToExit(process.execPath, ['--import', 'tsx', script, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm start -- [options]');
  }, 60_000);

  it('with --max-sessions 1, answers a second message 429 with Retry-After while the first waits for its confirmation', async () => {
    const { child, url } = await startMain(['--no-auto', '--max-sessions', '1']);
    try {
      const client = await connectSse(url);
      const send = (text: string) => fetch(url.replace('/events', '/messages'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'user_input', text }) });
      const first = await send('Transfer 500 NOK to Bob');
      expect(first.status).toBe(202);
      await client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'), 20_000);
      const second = await send('What is AAEP?');
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('5');
      expect(await second.json()).toMatchObject({ error: 'busy', retry_after_seconds: 5 });
      client.close();
    } finally {
      child.kill();
    }
  }, 60_000);
});
