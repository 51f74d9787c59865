import { describe, expect, it } from 'vitest';
import { SpanMembership } from '../../../src/sources/worker/SpanMembership.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const SESSION = { 'aaep.span.kind': 'session' };
const TOOL = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' };
const id = (n: number) => n.toString(16).padStart(16, '0');

describe('SpanMembership', () => {
  it('follows a session span and the spans under it, each with its own handle, and names their session', () => {
    const members = new SpanMembership(10, 10);
    const root = members.join(TRACE, id(1), undefined, SESSION, undefined);
    const child = members.join(TRACE, id(2), id(1), {}, undefined);
    const grandchild = members.join(TRACE, id(3), id(2), TOOL, undefined);
    expect(new Set([root, child, grandchild]).size).toBe(3);
    expect([root, child, grandchild]).not.toContain(0);
    expect(members.sessionOf(TRACE, id(3))).toMatchObject({ sessionId: `sess_${TRACE}${id(1)}`, rootSpanId: id(1) });
    expect(members.handleOf(TRACE, id(2))).toBe(child);
  });

  it('does not follow a plain span with no session above it, nor one whose parent is in another trace', () => {
    const members = new SpanMembership(10, 10);
    expect(members.join(TRACE, id(1), undefined, { 'http.method': 'GET' }, undefined)).toBe(0);
    members.join(TRACE, id(2), undefined, SESSION, undefined);
    expect(members.join(OTHER_TRACE, id(3), id(2), {}, undefined)).toBe(0);
    expect(members.sessionOf(OTHER_TRACE, id(2))).toBeUndefined();
  });

  it('lets a recognised span with no session anchor one of its own, as the translator does', () => {
    const members = new SpanMembership(10, 10);
    expect(members.join(TRACE, id(1), undefined, TOOL, undefined)).not.toBe(0);
    expect(members.sessionOf(TRACE, id(1))).toMatchObject({ rootSpanId: id(1) });
  });

  it('still places a span that starts after its parent ended, and closes the session with its root', () => {
    const members = new SpanMembership(10, 10);
    members.join(TRACE, id(1), undefined, SESSION, undefined);
    const parent = members.join(TRACE, id(2), id(1), {}, undefined);
    expect(members.leave(TRACE, id(2))).toBe(parent);
    expect(members.join(TRACE, id(3), id(2), {}, undefined)).not.toBe(0);
    members.leave(TRACE, id(3));
    members.leave(TRACE, id(1));
    expect(members.sessionOf(TRACE, id(1))).toBeUndefined();
    // Under a session that is over, a late span is not followed and opens nothing of its own.
    expect(members.join(TRACE, id(4), id(1), TOOL, undefined)).toBe(0);
    expect(members.leave(TRACE, id(4))).toBe(0);
  });

  it('forgets ended spans in bounded generations, the oldest whole', () => {
    const members = new SpanMembership(100_000, 100_000);
    members.join(TRACE, id(1), undefined, SESSION, undefined);
    members.join(TRACE, id(2), id(1), {}, undefined);
    members.leave(TRACE, id(2));
    // Two generations of 4,096 ended spans later, span 2 is forgotten: its late child is not placed.
    for (let n = 10; n < 10 + 2 * 4096 + 1; n++) {
      members.join(TRACE, id(n), id(1), {}, undefined);
      members.leave(TRACE, id(n));
    }
    expect(members.join(TRACE, id(3), id(2), {}, undefined)).toBe(0);
    expect(members.join(TRACE, id(5), id(1), {}, undefined)).not.toBe(0);
  });

  it('keeps to the bounds the worker keeps: sessions open at once, and open spans per session', () => {
    const members = new SpanMembership(2, 3);
    members.join(TRACE, id(1), undefined, SESSION, undefined);
    members.join(TRACE, id(2), undefined, SESSION, undefined);
    expect(members.join(TRACE, id(3), undefined, SESSION, undefined)).toBe(0);
    members.leave(TRACE, id(2));
    expect(members.join(TRACE, id(3), undefined, SESSION, undefined)).not.toBe(0);
    expect(members.join(TRACE, id(10), id(1), {}, undefined)).not.toBe(0);
    expect(members.join(TRACE, id(11), id(1), {}, undefined)).not.toBe(0);
    expect(members.join(TRACE, id(12), id(1), {}, undefined)).toBe(0);
    members.leave(TRACE, id(10));
    expect(members.join(TRACE, id(12), id(1), {}, undefined)).not.toBe(0);
  });

  it('does not follow the same span twice', () => {
    const members = new SpanMembership(10, 10);
    expect(members.join(TRACE, id(1), undefined, SESSION, undefined)).not.toBe(0);
    expect(members.join(TRACE, id(1), undefined, SESSION, undefined)).toBe(0);
  });
});
