import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from '../../src/cli/terminalSafe.js';
import { clarify, confirm } from '../../src/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** What an attacker who can send spans would put in them to drive the listener's terminal. */
const HOSTILE = [
  '\x1b]0;window title\x07', // OSC: window title
  '\x1b]52;c;ZWNobyBvd25lZA==\x07', // OSC 52: write the clipboard
  '\x1b]52;c;ZWNobyBvd25lZA==\x1b\\', // ... ended by ST
  '\x1b[2K\x1b[1A\x1b[2K\r', // erase the line above: "Nothing needs your confirmation"
  '\x1b[31;1m', // colour
  '\x1bP+q544e\x1b\\', // DCS
  '\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\', // APC, PM, SOS
  '\x1bc', // full reset
  '\u009b2J', // 8-bit CSI: clear screen
  '\u009d0;title\u009c', // 8-bit OSC ... ST
  '\u0085\u0090x\u009c', // NEL, DCS
  '\b\b\b\x07\x00\x7f\t\v\f', // backspace, bell, NUL, DEL, tabs and feeds
  '\u202e\u202c', // right-to-left override
  '\u2066\u2067\u2068\u2069\u202a\u202b\u202d', // isolates and embeddings
  '\u200e\u200f\u061c\u2028\u2029', // marks, line / paragraph separators
].join('');

/** Any byte or character a terminal could act on, besides the newline. */
function unsafeIn(bytes: Buffer): string[] {
  const found: string[] = [];
  if (bytes.includes(0x1b)) found.push('ESC byte');
  const text = bytes.toString('utf8');
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const c0 = code < 0x20 && code !== 0x0a;
    const c1 = code >= 0x7f && code <= 0x9f;
    const bidi = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/.test(ch);
    if (c0 || c1 || bidi) found.push(`U+${code.toString(16).padStart(4, '0')}`);
  }
  return found;
}

function cli(args: string[]) {
  const { AAEP_TOKEN: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = once(child, 'exit');
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const out = () => Buffer.concat(stdout);
  return {
    child,
    out,
    err: () => Buffer.concat(stderr),
    exited,
    async waitFor(pattern: RegExp, read: () => Buffer = out): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (!pattern.test(read().toString('utf8'))) {
        if (Date.now() > deadline) throw new Error(`no ${pattern}; stdout:\n${out().toString()}\nstderr:\n${Buffer.concat(stderr).toString()}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

async function harness(): Promise<Harness> {
  const h = await startHarness();
  cleanups.push(() => h.close());
  return h;
}

/** A session whose every text field carries HOSTILE: request, agent name, tool name and arguments, output, question, choices, confirmation, error. */
async function hostileTurn(h: Harness): Promise<void> {
  await h.tracer.startActiveSpan(
    'turn',
    {
      attributes: {
        'aaep.span.kind': 'session',
        'aaep.session.request': `Book ${HOSTILE}a table`,
        'aaep.agent.name': `Agent ${HOSTILE}Smith`,
        'aaep.session.requested_by': `user ${HOSTILE}`,
      },
    },
    async (session) => {
      await h.tracer.startActiveSpan(
        'tool',
        { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': `search${HOSTILE}`, 'aaep.tool.arguments': JSON.stringify({ query: `cafe ${HOSTILE}` }), 'aaep.tool.description': `Finds ${HOSTILE}places` } },
        async (tool) => {
          tool.setAttribute('aaep.tool.result', JSON.stringify({ found: `3 ${HOSTILE}` }));
          tool.end();
        },
      );
      await h.tracer.startActiveSpan('answer', { attributes: { 'aaep.span.kind': 'llm' } }, async (llm) => {
        for (const piece of [`Here ${HOSTILE}`, `you go${HOSTILE}. `, `Nothing needs your confirmation${HOSTILE}.`]) {
          llm.addEvent('aaep.output.chunk', { 'aaep.output.text': piece });
        }
        llm.end();
      });
      await clarify(session, { question: `Which ${HOSTILE}time?`, options: [`7 pm${HOSTILE}`, { value: 'eight', label: `8 pm${HOSTILE}` }], timeoutSeconds: 1 });
      await h.tracer.startActiveSpan('pay', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'pay', 'aaep.tool.requires_confirmation': true } }, async (tool) => {
        await confirm(tool, { action: `Pay ${HOSTILE}40 euros`, consequence: `Money ${HOSTILE}leaves`, timeoutSeconds: 1 });
        tool.end();
      });
      session.setStatus({ code: SpanStatusCode.ERROR, message: `failed ${HOSTILE}badly` });
      session.end();
    },
  );
}

describe('aaep-otel tail on hostile spans', () => {
  it('prints no escape sequence, control character or bidi override, prompts and options included', async () => {
    const h = await harness();
    const tail = cli(['tail', h.server.url]);
    await tail.waitFor(/^Listening to /m);
    await hostileTurn(h);
    await tail.waitFor(/^(Urgent: )?Error/m);
    tail.child.kill('SIGINT');
    await tail.exited;

    const text = tail.out().toString('utf8');
    expect(unsafeIn(tail.out())).toEqual([]);
    expect(unsafeIn(tail.err())).toEqual([]);
    // What the agent said is still there, without what was meant for the terminal.
    expect(text).toMatch(/Book\s+a table/);
    expect(text).toMatch(/Agent\s+Smith/);
    expect(text).toMatch(/Which\s+time\?/);
    expect(text).toMatch(/^1\. 7 pm/m);
    expect(text).toMatch(/^2\. 8 pm/m);
    expect(text).toContain('Answer (1 to 2): ');
    expect(text).toMatch(/Pay\s+40 euros/);
    expect(text).toContain('Allow? (y/n) ');
    // A sequence goes whole, payload included (tool names are the exception: the translator turns them into words).
    const started = text.split('\n').find((line) => line.startsWith('Started:'));
    expect(started).toMatch(/^Started: Agent\s+Smith is working on your request: Book\s+a table$/);
  });

  it('writes --json lines with every unsafe character escaped, so the data is kept but never acted on', async () => {
    const h = await harness();
    const tail = cli(['tail', h.server.url, '--json', '--no-confirm']);
    await tail.waitFor(/^Listening to /m, tail.err);
    await hostileTurn(h);
    await tail.waitFor(/session\.errored/);
    tail.child.kill('SIGINT');
    await tail.exited;

    expect(unsafeIn(tail.out())).toEqual([]);
    expect(unsafeIn(tail.err())).toEqual([]);
    const events = tail
      .out()
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { type: string; request_text?: string });
    const started = events.find((event) => event.type === 'aaep:agent.session.started');
    expect(started?.request_text).toContain('\x1b]52;c;');
    expect(started?.request_text).toContain('\u202e');
  });
});

describe('terminalSafe', () => {
  it('removes sequences whole and keeps the words around them', () => {
    expect(terminalSafe('a\x1b]0;title\x07b\x1b[2Kc\u009b31md\u202ee\n')).toBe('abcde\n');
    expect(terminalSafe('tab\there')).toBe('tab here');
  });

  it('drops an unterminated string sequence to the end instead of letting it run on', () => {
    expect(terminalSafe('ok \x1b]52;c;ZWNobw==')).toBe('ok ');
  });

  it('leaves ordinary text, accents and other scripts unchanged', () => {
    const text = 'Grüße, 東京 and عربي — fine…\n';
    expect(terminalSafe(text)).toBe(text);
  });

  it('escapes C1 and bidi characters in JSON, which JSON.stringify would write raw', () => {
    const line = terminalSafeJson({ text: '\u009b\u202e\x1b' });
    expect(line).toBe('{"text":"\\u009b\\u202e\\u001b"}');
    expect(JSON.parse(line)).toEqual({ text: '\u009b\u202e\x1b' });
  });
});
