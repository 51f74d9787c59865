import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionLabels, shortLabel } from '../../src/client/index.js';
import { MAX_OPEN_SESSIONS } from '../../src/ui/SessionLabels.js';

const started = (id: string, request?: string) => ({ type: 'aaep:agent.session.started', session_id: id, ...(request !== undefined && { request_text: request }) });
const event = (id: string, type: string, fields: Record<string, unknown> = {}) => ({ type: `aaep:agent.${type}`, session_id: id, ...fields });

describe('SessionLabels (shared by the web page and aaep-otel/client)', () => {
  it('labels a session by the first words of its request, trimmed and capitalised', () => {
    expect(shortLabel('  generate a quarterly report, please ')).toBe('Generate a quarterly');
    expect(shortLabel('What is AAEP?')).toBe('What is AAEP');
    expect(shortLabel('Send\u202E an\u0007 email\nto Ada')).toBe('Send an email');
    expect(shortLabel('Supercalifragilisticexpialidocious-and-then-some-more')).toHaveLength(32);
    expect(shortLabel(undefined)).toBe('Task');
    expect(shortLabel('?!')).toBe('Task');
  });

  it('gives no label while one session is open, and each its own while several are', () => {
    const labels = new SessionLabels();
    expect(labels.observe(started('a', 'Generate a quarterly report'))).toBeUndefined();
    expect(labels.observe(event('a', 'state.changed', { to_state: 'calling_tool' }))).toBeUndefined();
    expect(labels.observe(started('b', 'Generate a quarterly summary'))).toBe('Generate a quarterly 2');
    expect(labels.observe(event('a', 'progress.updated'))).toBe('Generate a quarterly');
    expect(labels.several).toBe(true);
    expect(labels.open()).toEqual([
      { sessionId: 'a', label: 'Generate a quarterly', state: 'calling_tool' },
      { sessionId: 'b', label: 'Generate a quarterly 2', state: 'working' },
    ]);
    // The event that ends a session is still named; after it the other speaks alone again.
    expect(labels.observe(event('a', 'session.completed'))).toBe('Generate a quarterly');
    expect(labels.observe(event('b', 'state.changed', { to_state: 'idle' }))).toBeUndefined();
    expect(labels.open()).toEqual([{ sessionId: 'b', label: 'Generate a quarterly 2', state: 'idle' }]);
    // A catch-up that re-sends session.started keeps the label it had.
    labels.observe(started('b', 'Something else'));
    expect(labels.labelOf('b')).toBe('Generate a quarterly 2');
  });

  it('forgets the oldest session beyond its bound, so missed ends cannot grow it for ever', () => {
    const labels = new SessionLabels();
    for (let i = 0; i <= MAX_OPEN_SESSIONS; i++) labels.observe(started(`s${i}`, `Task number ${i}`));
    expect(labels.open()).toHaveLength(MAX_OPEN_SESSIONS);
    expect(labels.labelOf('s0')).toBeUndefined();
    expect(labels.labelOf(`s${MAX_OPEN_SESSIONS}`)).toBe(`Task number ${MAX_OPEN_SESSIONS}`);
  });

  it('keeps labels short, sayable and unique among the open sessions, whatever the requests', () => {
    const step = fc.oneof(
      fc.record({ start: fc.nat(5), request: fc.option(fc.string({ unit: 'grapheme', maxLength: 60 }), { nil: undefined }) }),
      fc.record({ end: fc.nat(5) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const labels = new SessionLabels();
        const open = new Set<string>();
        for (const s of steps) {
          if ('start' in s) {
            const id = `s${s.start}`;
            labels.observe(started(id, s.request));
            open.add(id);
          } else {
            labels.observe(event(`s${s.end}`, 'session.cancelled'));
            open.delete(`s${s.end}`);
          }
          const now = labels.open();
          expect(new Set(now.map((session) => session.sessionId))).toEqual(open);
          expect(new Set(now.map((session) => session.label)).size).toBe(now.length);
          expect(labels.several).toBe(open.size > 1);
          for (const { label } of now) {
            expect(label.length).toBeLessThanOrEqual(40);
            expect(label).not.toMatch(/[\p{Cc}\p{Cf}]|^\s|\s$/u);
          }
        }
      }),
    );
  });
});
