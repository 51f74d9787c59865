import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { clarify, confirm, type Clarification, type ConfirmDecision } from '../../src/index.js';
import { publishSession } from '../helpers/fakeSession.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  cleanups.push(() => h.close());
  return h;
}

/** `aaep-otel …` as a real child process, with its output collected as it comes. */
function cli(args: string[], env: Record<string, string> = {}) {
  const { AAEP_TOKEN: _ignored, ...inherited } = process.env;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    // An English locale unless a test says otherwise: the tail asks for the user's languages.
    env: { ...inherited, LANG: 'en_US.UTF-8', LANGUAGE: '', LC_ALL: '', LC_MESSAGES: '', ...env },
  });
  const output = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    output[stream] += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout.on('data', collect('stdout'));
  child.stderr.on('data', collect('stderr'));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    output,
    exited,
    lines: () => output.stdout.split('\n').filter((line) => line !== ''),
    /** Resolves once `pattern` shows up on `stream`. */
    waitFor(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 15_000): Promise<void> {
      if (pattern.test(output[stream])) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} on ${stream}; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(output[stream])) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
  };
}

/** An agent turn whose tool asks before it runs. */
function confirmingTurn(h: Harness): Promise<ConfirmDecision> {
  return h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Email Ada' } }, async (session) => {
    const decision = await h.tracer.startActiveSpan(
      'send_email',
      { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'send_email', 'aaep.tool.requires_confirmation': true } },
      async (tool) => {
        const answer = await confirm(tool, { action: 'Send an email to Ada', consequence: 'Ada receives it right away.', riskLevel: 'medium' });
        tool.end();
        return answer;
      },
    );
    session.end();
    return decision;
  });
}

/** An agent turn that asks which city. */
function questionTurn(h: Harness): Promise<Clarification> {
  return h.tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Weather?' } }, async (session) => {
    const answer = await clarify(session, { question: 'Which city?', options: ['Oslo', 'Bergen'] });
    session.end();
    return answer;
  });
}

async function unusedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a confirming turn, answers "y" on the CLI's stdin, and checks the agent got accept and the CLI quits cleanly on Ctrl-C. */
async function acceptsAConfirmationAndQuits(h: Harness, tail: ReturnType<typeof cli>): Promise<void> {
  const decision = confirmingTurn(h);
  await tail.waitFor(/Allow\? \(y\/n\) $/);
  tail.child.stdin.write('y\n');
  await expect(decision).resolves.toEqual({ decision: 'accept', by: 'user' });
  await tail.waitFor(/^Done/m);
  tail.child.kill('SIGINT');
  expect(await tail.exited).toBe(0);
}

// Plain text for screen readers: printable characters only, so no colour codes, spinners or emoji.
const PLAIN_LINE = /^[\x20-\x7E\u00A0-\u024F\u2026]*$/;

describe('aaep-otel tail', () => {
  it('asks "Allow? (y/n)" at a confirmation and sends the answer typed on stdin to the agent', async () => {
    const h = await harness();
    const tail = cli(['tail', h.server.url]);
    await tail.waitFor(/^Listening to /m);
    await acceptsAConfirmationAndQuits(h, tail);

    const lines = tail.lines();
    for (const line of lines) expect(line).toMatch(PLAIN_LINE);
    expect(lines[0]).toBe(`Listening to ${h.server.url}.`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Started: Test agent is working on your request: Email Ada',
        'Status: Waiting for your answer.',
        'Urgent: Confirmation needed: Send an email to Ada. Ada receives it right away.',
        'Allow? (y/n) y',
        'Answer sent.',
        'Status: You accepted: Send an email to Ada.',
        'Tool: Using send email.',
      ]),
    );
    expect(lines.at(-1)).toBe('Done.');
  });

  it('started while a confirmation is pending, asks it and sends the answer typed on stdin to the agent', async () => {
    const h = await harness();
    const decision = confirmingTurn(h);
    await h.client.waitFor((events) => events.some((e) => e.type === 'aaep:agent.awaiting.confirmation'));
    const tail = cli(['tail', h.server.url]);
    await tail.waitFor(/Allow\? \(y\/n\) $/);
    expect(tail.lines()).toEqual([
      `Listening to ${h.server.url}.`,
      'Started: Test agent is working on your request: Email Ada',
      'Status: Waiting for your answer.',
      'Urgent: Confirmation needed: Send an email to Ada. Ada receives it right away.',
      'Allow? (y/n) ',
    ]);
    tail.child.stdin.write('y\n');
    await expect(decision).resolves.toEqual({ decision: 'accept', by: 'user' });
    await tail.waitFor(/^Done/m);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.lines()).toEqual(expect.arrayContaining(['Allow? (y/n) y', 'Answer sent.', 'Tool: Using send email.']));
  });

  it('names the session of every line and prompt while another session is open, and only then', async () => {
    const h = await harness();
    const tail = cli(['tail', h.server.url]);
    await tail.waitFor(/^Listening to /m);
    const report = h.tracer.startSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Generate a quarterly report' } }, ROOT_CONTEXT);
    await tail.waitFor(/^Started: .*Generate a quarterly report$/m);
    const decision = confirmingTurn(h);
    await tail.waitFor(/^Email Ada: Allow\? \(y\/n\) $/m);
    tail.child.stdin.write('y\n');
    await expect(decision).resolves.toEqual({ decision: 'accept', by: 'user' });
    await tail.waitFor(/^Email Ada: Done\.$/m);
    report.end();
    await tail.waitFor(/^Done\.$/m);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.lines()).toEqual(
      expect.arrayContaining([
        'Started: Test agent is working on your request: Generate a quarterly report',
        'Email Ada: Started: Test agent is working on your request: Email Ada',
        'Email Ada: Urgent: Confirmation needed: Send an email to Ada. Ada receives it right away.',
        'Email Ada: Allow? (y/n) y',
        'Email Ada: Tool: Using send email.',
      ]),
    );
    // Alone again once the other session is done: its last line carries no label.
    expect(tail.lines().at(-1)).toBe('Done.');
  });

  it('asks a question with numbered options and sends the option chosen by number', async () => {
    const h = await harness();
    const tail = cli(['tail', h.server.url, '--verbosity', 'terse']);
    await tail.waitFor(/^Listening to /m);
    const answer = questionTurn(h);
    await tail.waitFor(/Answer \(1 to 2\): $/);
    tail.child.stdin.write('3\n');
    await tail.waitFor(/That is not an answer this question takes\. Answer \(1 to 2\): $/);
    tail.child.stdin.write('2\n');
    await expect(answer).resolves.toMatchObject({ response: 'Bergen', by: 'user' });
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.lines()).toEqual(expect.arrayContaining(['Urgent: Question: Which city?', '1. Oslo', '2. Bergen']));
  });

  it('with --no-confirm as the only listener is sent no question, and the agent takes the default at once', async () => {
    const h = await harness();
    h.client.close();
    while (h.aaep.hub.subscriberCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const tail = cli(['tail', h.server.url, '--no-confirm']);
    await tail.waitFor(/^Listening to /m);
    // Negotiated ahead of the stream: once it listens, its terms are known.
    await expect(confirmingTurn(h)).resolves.toEqual({ decision: 'reject', by: 'timeout' });
    await tail.waitFor(/^Done/m);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.lines().filter((line) => /Confirmation needed|Allow\?/.test(line))).toEqual([]);
    expect(tail.lines()).toEqual(expect.arrayContaining(['Status: No answer in time, so not doing it: Send an email to Ada.']));
  });

  it('prints one parseable JSON event per line with --json, and talks on stderr', async () => {
    const h = await harness();
    const tail = cli(['tail', `${h.server.url}/aaep/v1/events`, '--json', '--no-confirm']);
    await tail.waitFor(/^Listening to /m, 'stderr');
    publishSession(h.aaep.hub, 2);
    await tail.waitFor(/"type":"aaep:agent\.session\.completed"/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    const events = tail.lines().map((line) => JSON.parse(line) as { type: string; event_id: string });
    expect(events[0]?.type).toBe('aaep:agent.session.started');
    expect(events.at(-1)?.type).toBe('aaep:agent.session.completed');
    expect(events.every((event) => event.event_id.startsWith('evt_'))).toBe(true);
  });

  it('announces "Reconnecting…" and "Reconnected." when the connection drops, and misses nothing', async () => {
    const h = await harness({ retryMs: 50 });
    const sockets: Socket[] = [];
    h.server.server.on('connection', (socket: Socket) => sockets.push(socket));
    const tail = cli(['tail', h.server.url, '--json']);
    await tail.waitFor(/^Listening to /m, 'stderr');
    publishSession(h.aaep.hub, 1);
    await tail.waitFor(/session\.completed/);
    // Every connection the tail holds (the negotiation's and the stream's) goes at once.
    for (const socket of sockets) socket.destroy();
    // Published while the tail is away: it hears them only by resuming.
    publishSession(h.aaep.hub, 2);
    await tail.waitFor(/^Reconnecting…\nReconnected\.$/m, 'stderr');
    await h.client.waitFor((events) => events.filter((event) => event.type === 'aaep:agent.session.completed').length === 2);
    await tail.waitFor(/session\.completed[^]*session\.completed/);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.lines().map((line) => (JSON.parse(line) as { event_id: string }).event_id)).toEqual(h.client.ids);
  });

  it('takes the token from AAEP_TOKEN', async () => {
    const h = await harness({ token: 'open-sesame' });
    const tail = cli(['tail', h.server.url], { AAEP_TOKEN: 'open-sesame' });
    await tail.waitFor(/^Listening to /m);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
  });

  it('exits non-zero with a message about authentication when the token is wrong', async () => {
    const h = await harness({ token: 'open-sesame' });
    const tail = cli(['tail', h.server.url, '--token', 'wrong']);
    expect(await tail.exited).toBe(1);
    expect(tail.output.stderr).toMatch(/^Authentication failed at .*401.*Pass --token or set AAEP_TOKEN\.\n$/);
    expect(tail.output.stdout).toBe('');
  });

  it('exits non-zero with "Cannot reach" when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await unusedPort()}`;
    const tail = cli(['tail', url]);
    expect(await tail.exited).toBe(1);
    expect(tail.output.stderr).toMatch(new RegExp(`^Cannot reach ${url}/aaep/v1/events: .*ECONNREFUSED.*\\n$`));
  });

  it('follows over a WebSocket at one announcement a second with --ws --rate 1, and still asks at once', async () => {
    const h = await harness();
    const tail = cli(['tail', h.server.url, '--ws', '--rate', '1']);
    await tail.waitFor(/^Listening to /m);
    await acceptsAConfirmationAndQuits(h, tail);
    expect(tail.lines()).toEqual(expect.arrayContaining(['Urgent: Confirmation needed: Send an email to Ada. Ada receives it right away.', 'Answer sent.']));
  });

  it('says the agent\'s status phrases in the language --lang names, else in the locale\'s', async () => {
    const h = await harness();
    const french = cli(['tail', h.server.url, '--lang', 'fr-CA']);
    await french.waitFor(/^Listening to /m);
    await acceptsAConfirmationAndQuits(h, french);
    // The tail prints any space as a plain one.
    expect(french.lines()).toEqual(expect.arrayContaining(['Started: Test agent traite votre demande : Email Ada', 'Urgent: Confirmation requise : Send an email to Ada. Ada receives it right away.']));
    const german = cli(['tail', h.server.url], { LANG: 'de_DE.UTF-8' });
    await german.waitFor(/^Listening to /m);
    await acceptsAConfirmationAndQuits(h, german);
    expect(german.lines()).toEqual(expect.arrayContaining(['Started: Test agent arbeitet an Ihrer Anfrage: Email Ada']));
    const unknown = cli(['tail', h.server.url, '--lang', 'fr,']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output.stderr).toMatch(/^--lang takes up to 8 language tags/);
  });

  it('refuses a --rate that is not a whole number from 1', async () => {
    const bad = cli(['tail', 'http://127.0.0.1:1', '--rate', '0.5']);
    expect(await bad.exited).toBe(2);
    expect(bad.output.stderr).toMatch(/^--rate must be a whole number/);
  });

  it('prints its usage on --help, and with exit code 2 on bad arguments', async () => {
    const help = cli(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output.stdout).toMatch(/^Usage: aaep-otel tail <url>/);
    const bad = cli(['tail', 'http://127.0.0.1:1', '--verbosity', 'loud']);
    expect(await bad.exited).toBe(2);
    expect(bad.output.stderr).toMatch(/^--verbosity must be terse, normal or detailed, not "loud"\.\n\nUsage: aaep-otel tail/);
    const missing = cli([]);
    expect(await missing.exited).toBe(2);
  });
});
