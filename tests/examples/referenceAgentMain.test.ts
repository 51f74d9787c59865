import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectSse, type WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm start (the reference agent)', () => {
  it('prints a URL where a subscriber hears whole, legal sessions of its sample requests', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/reference-agent/main.ts', '--port', '0', '--interval', '1000', '--samples', '4', '--quiet-spans'], {
      cwd: root,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 20_000);
        child.stdout.on('data', () => {
          const match = /curl -N (http:\/\/\S+\/aaep\/v1\/events)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      const client = await connectSse(url);
      await client.ended;
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      // Keep only sessions heard from their start: the client may have joined mid-session.
      const heardFromStart = new Set(client.events.filter((e) => e.type === 'aaep:agent.session.started').map((e) => e.session_id));
      const whole: WireEvent[] = client.events.filter((e) => heardFromStart.has(e.session_id));
      expect(heardFromStart.size).toBeGreaterThanOrEqual(3);
      expectLegalStream(whole);
      const types = new Set(whole.map((e) => e.type));
      for (const type of ['aaep:agent.tool.invoked', 'aaep:agent.tool.completed', 'aaep:agent.output.streaming', 'aaep:agent.progress.updated', 'aaep:agent.session.completed']) {
        expect(types).toContain(type);
      }
    } finally {
      child.kill();
    }
  }, 60_000);
});
