import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmationReply } from '../helpers/harness.js';
import { connectSse, sessionDone } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

function run(script: string, args: string[], env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string; waitFor: (pattern: RegExp) => Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: { ...process.env, ...env } });
  children.push(child);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return {
    child,
    output: () => output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no ${pattern} in:\n${output}`)), 20_000);
        const check = () => {
          const match = pattern.exec(output);
          if (!match) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(match);
        };
        listeners.add(check);
        check();
      }),
  };
}

describe('an agent process exporting to a receiver process', () => {
  it('is heard live — the tool is announced while it still runs — and gets the answer to its confirmation, holding only the ingest token', async () => {
    const receiver = run('collector/main.ts', ['--port', '0'], { AAEP_TOKEN: 'two-process-secret', AAEP_INGEST_TOKEN: 'two-process-ingest' });
    const [, url] = await receiver.waitFor(/"url":"(http:\/\/[^"]+)"/);
    const auth = { Authorization: 'Bearer two-process-secret' };
    const client = await connectSse(`${url}/aaep/v1/events`, { headers: auth });

    const agent = run('examples/remote-agent/main.ts', ['--wait-for-go'], { AAEP_RECEIVER_URL: url!, AAEP_INGEST_TOKEN: 'two-process-ingest' });
    await agent.waitFor(/tool get_weather started/);
    await client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.tool.invoked' && e.tool === 'get_weather'));
    // The tool is still waiting for "go": it cannot have completed.
    expect(client.events.map((e) => e.type)).not.toContain('aaep:agent.tool.completed');
    agent.child.stdin.write('go\n');

    await client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
    const confirmation = client.events.find((e) => e.type === 'aaep:agent.awaiting.confirmation')!;
    expect(confirmation).toMatchObject({ default_decision: 'reject', irreversible: true, risk_level: 'high' });
    const reply = await fetch(`${url}/aaep/v1/replies`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth },
      body: JSON.stringify(confirmationReply(String(confirmation.reply_token), 'accept')),
    });
    expect(reply.status).toBe(204);
    await agent.waitFor(/decision: accept by user/);
    await agent.waitFor(/done/);
    const [code] = await once(agent.child, 'exit');
    expect(code).toBe(0);

    await client.waitFor(sessionDone());
    client.close();
    expectLegalStream(client.events);
    const types = client.events.map((e) => e.type.replace('aaep:agent.', ''));
    expect(types.indexOf('tool.invoked')).toBeLessThan(types.indexOf('tool.completed'));
    const transfer = client.events.find((e) => e.type === 'aaep:agent.tool.invoked' && e.tool === 'transfer_money');
    expect(transfer).toMatchObject({ irreversible: true });
    expect(client.events.indexOf(transfer!)).toBeGreaterThan(client.events.indexOf(confirmation));
  }, 60_000);
});

describe('the receiver process', () => {
  it('on SIGTERM lets a request in flight finish, ends the event streams and exits 0', async () => {
    const receiver = run('collector/main.ts', ['--port', '0'], {});
    const [, url] = await receiver.waitFor(/"url":"(http:\/\/[^"]+)"/);
    const client = await connectSse(`${url}/aaep/v1/events`);
    const inFlight = fetch(`${url}/aaep/v1/decisions/rpl_0123456789abcdef?wait=1`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    receiver.child.kill('SIGTERM');
    const [code] = await once(receiver.child, 'exit');
    expect(code).toBe(0);
    expect((await inFlight).status).toBe(204);
    await client.ended;
    expect(receiver.output()).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
    expect(receiver.output()).toMatch(/"msg":"receiver stopped"/);
  }, 30_000);
});
