import { afterEach, describe, expect, it } from 'vitest';
import { readReceiverConfig } from '../../collector/receiverConfig.js';
import { startReceiver } from '../../collector/startReceiver.js';
import { AAEP_SIGNAL, AAEP_SIGNAL_EVENT_NAME, AAEP_SIGNAL_NAME, AAEP_SIGNAL_PARENT_SPAN_ID, AAEP_SIGNAL_SESSION_SPAN_ID, AAEP_SIGNAL_SPAN_ID } from '../../src/semconv/attributes.js';
import { confirmationReply } from '../helpers/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const TRACE = '0a000000000000000000000000000001';
const SESSION_SPAN = '0b00000000000001';
let signalCounter = 0;

/** A signal span as AaepSignalProcessor exports it: the announced span's start or event, in its attributes. */
function signal(atMs: number, attributes: Record<string, string | number>) {
  const time = String(BigInt(Math.round(atMs)) * 1_000_000n);
  return {
    traceId: TRACE,
    spanId: `0c${(++signalCounter).toString(16).padStart(14, '0')}`,
    name: AAEP_SIGNAL,
    startTimeUnixNano: time,
    endTimeUnixNano: time,
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: value } : { stringValue: value } })),
  };
}

const start = (spanId: string, atMs: number, attributes: Record<string, string>, parent?: string) =>
  signal(atMs, {
    ...attributes,
    [AAEP_SIGNAL]: 'start',
    [AAEP_SIGNAL_SPAN_ID]: spanId,
    [AAEP_SIGNAL_NAME]: 'span',
    [AAEP_SIGNAL_SESSION_SPAN_ID]: SESSION_SPAN,
    ...(parent !== undefined && { [AAEP_SIGNAL_PARENT_SPAN_ID]: parent }),
  });

/** A tool in the open session asking for confirmation with `token`, issued at `atMs`. */
const toolAsking = (n: number, token: string, atMs: number) => {
  const toolSpan = `0d0000000000000${n}`;
  return [
    start(toolSpan, atMs, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `tool_${n}` }, SESSION_SPAN),
    signal(atMs, {
      [AAEP_SIGNAL]: 'event',
      [AAEP_SIGNAL_SPAN_ID]: toolSpan,
      [AAEP_SIGNAL_EVENT_NAME]: 'aaep.confirmation.requested',
      [AAEP_SIGNAL_SESSION_SPAN_ID]: SESSION_SPAN,
      'aaep.confirmation.reply_token': token,
      'aaep.confirmation.action': `Run tool ${n}`,
      'aaep.confirmation.timeout_seconds': 60,
    }),
  ];
};

describe('outstanding reply tokens at the receiver', () => {
  it('drop expired tokens at the bound, then refuse new ones (their default applies), logged once', async () => {
    const config = readReceiverConfig(['--port', '0', '--max-pending-replies', '2'], {});
    if (config === 'help') throw new Error('unreachable');
    const logs: Array<Record<string, unknown>> = [];
    const receiver = await startReceiver(config, (_level, message, fields = {}) => logs.push({ message, ...fields }));
    cleanups.push(() => receiver.close());
    const now = Date.now();
    const spans = [
      start(SESSION_SPAN, now - 600_000, { 'gen_ai.operation.name': 'invoke_agent' }),
      // Asked ten minutes ago with a minute to answer: expired.
      ...toolAsking(1, 'rpl_expired1', now - 600_000),
      ...toolAsking(2, 'rpl_fresh2', now),
      ...toolAsking(3, 'rpl_fresh3', now),
      ...toolAsking(4, 'rpl_refused4', now),
      ...toolAsking(5, 'rpl_refused5', now),
    ];
    const exported = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
    });
    expect(exported.status).toBe(200);
    expect(receiver.replies.usage).toEqual({ size: 2, limit: 2 });
    expect(receiver.replies.has('rpl_fresh2') && receiver.replies.has('rpl_fresh3')).toBe(true);
    const ready = (await (await fetch(`${receiver.url}/readyz`)).json()) as { replies: unknown };
    expect(ready.replies).toEqual({ size: 2, limit: 2 });
    expect(logs.filter((line) => line.limit === 'pendingReplies')).toHaveLength(1);

    // A reply to a refused token is taken like any other (204) and decides nothing.
    for (const token of ['rpl_refused4', 'rpl_fresh2']) {
      const replied = await fetch(`${receiver.url}/aaep/v1/replies`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(confirmationReply(token, 'accept')),
      });
      expect(replied.status).toBe(204);
    }
    expect((await fetch(`${receiver.url}/aaep/v1/decisions/rpl_refused4`)).status).toBe(204);
    const decided = await fetch(`${receiver.url}/aaep/v1/decisions/rpl_fresh2`);
    expect(decided.status).toBe(200);
    expect(await decided.json()).toMatchObject({ reply: { decision: 'accept' } });
  });

  it('keep the newest answers for remote agents up to the bound, the oldest going first', async () => {
    const config = readReceiverConfig(['--port', '0', '--max-decisions', '1'], {});
    if (config === 'help') throw new Error('unreachable');
    const receiver = await startReceiver(config);
    cleanups.push(() => receiver.close());
    const now = Date.now();
    const spans = [start(SESSION_SPAN, now, { 'gen_ai.operation.name': 'invoke_agent' }), ...toolAsking(1, 'rpl_older1', now), ...toolAsking(2, 'rpl_newer2', now)];
    const post = (path: string, body: unknown) =>
      fetch(`${receiver.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/v1/traces', { resourceSpans: [{ scopeSpans: [{ spans }] }] })).status).toBe(200);
    for (const token of ['rpl_older1', 'rpl_newer2']) expect((await post('/aaep/v1/replies', confirmationReply(token, 'accept'))).status).toBe(204);
    expect((await fetch(`${receiver.url}/aaep/v1/decisions/rpl_older1`)).status).toBe(204);
    expect((await fetch(`${receiver.url}/aaep/v1/decisions/rpl_newer2`)).status).toBe(200);
    const ready = (await (await fetch(`${receiver.url}/readyz`)).json()) as { decisions: unknown };
    expect(ready.decisions).toEqual({ size: 1, limit: 1 });
  });
});
