import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from '../../examples/reference-agent/parseAgentArgs.js';

describe("the reference agent's command line", () => {
  it('reads every option, with the documented defaults', () => {
    expect(parseAgentArgs([], {})).toEqual({ kind: 'run', args: { port: undefined, intervalMs: 4000, samples: undefined, auto: true, quietSpans: false, maxSessions: 16 } });
    expect(parseAgentArgs(['--port', '0', '--interval', '300', '--samples', '4', '--no-auto', '--quiet-spans', '--max-sessions', '3'], {})).toEqual({
      kind: 'run',
      args: { port: 0, intervalMs: 300, samples: 4, auto: false, quietSpans: true, maxSessions: 3 },
    });
    expect(parseAgentArgs(['-h'], {})).toEqual({ kind: 'help' });
  });

  it('takes the session cap from --max-sessions, else AAEP_MAX_SESSIONS, else 16', () => {
    expect(parseAgentArgs([], { AAEP_MAX_SESSIONS: '4' })).toMatchObject({ args: { maxSessions: 4 } });
    expect(parseAgentArgs(['--max-sessions', '2'], { AAEP_MAX_SESSIONS: '4' })).toMatchObject({ args: { maxSessions: 2 } });
    expect(parseAgentArgs([], { AAEP_MAX_SESSIONS: ' ' })).toMatchObject({ args: { maxSessions: 16 } });
  });

  it('says what is wrong with a value instead of running with it', () => {
    expect(parseAgentArgs(['--port', 'http'], {})).toEqual({ kind: 'error', message: '--port must be a whole number from 0 to 65535, not "http".' });
    expect(parseAgentArgs(['--port', '70000'], {})).toMatchObject({ kind: 'error' });
    expect(parseAgentArgs(['--max-sessions', '0'], {})).toMatchObject({ kind: 'error', message: expect.stringContaining('--max-sessions must be a whole number from 1') });
    expect(parseAgentArgs([], { AAEP_MAX_SESSIONS: 'many' })).toMatchObject({ kind: 'error', message: expect.stringContaining('AAEP_MAX_SESSIONS') });
    expect(parseAgentArgs(['--interval', '-5'], {})).toMatchObject({ kind: 'error' });
  });

  it('refuses unknown options, stray words and options a value was forgotten for', () => {
    expect(parseAgentArgs(['--bogus'], {})).toMatchObject({ kind: 'error', message: expect.stringContaining("Unknown option '--bogus'") });
    expect(parseAgentArgs(['5406'], {})).toMatchObject({ kind: 'error', message: expect.stringContaining("Unexpected argument '5406'") });
    expect(parseAgentArgs(['--port'], {})).toMatchObject({ kind: 'error', message: expect.stringContaining("Option '--port <value>' argument missing") });
  });

  it('explains options npm kept for itself (given before "--"), even when nothing else went wrong', () => {
    expect(parseAgentArgs([], { npm_config_quiet_spans: 'true' })).toEqual({ kind: 'error', message: 'npm kept --quiet-spans for itself: put options after "--", e.g. npm start -- --quiet-spans.' });
    expect(parseAgentArgs([], { npm_config_auto: '' })).toMatchObject({ message: expect.stringContaining('npm kept --no-auto') });
  });
});
