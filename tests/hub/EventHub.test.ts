import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { EventHub } from '../../src/hub/EventHub.js';
import type { SubscriberSink } from '../../src/hub/Subscription.js';
import type { AaepEvent } from '../../src/protocol/index.js';
import { Translator } from '../../src/translate/index.js';
import { validateAgainstSpec } from '../helpers/aaepSchemas.js';
import { ended, event, started } from '../helpers/records.js';

/** A transport that parses what the hub writes, and can refuse writes like a full socket. */
class RecordingSink implements SubscriberSink {
  readonly ids: string[] = [];
  readonly events: AaepEvent[] = [];
  closedBy: string | undefined;
  accepting = true;
  private readonly parser = createParser({
    onEvent: (message) => {
      if (message.event !== 'aaep.event') return;
      const parsed = JSON.parse(message.data) as AaepEvent;
      expect(validateAgainstSpec(parsed)).toEqual([]);
      this.ids.push(message.id!);
      this.events.push(parsed);
    },
  });
  write(frames: Buffer): boolean {
    this.parser.feed(frames.toString('utf8'));
    return this.accepting;
  }
  close(reason: 'overflow' | 'shutdown'): void {
    this.closedBy = reason;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

let span = 1;
/** Publishes one session with `sentences` output chunks through a real translator; returns its events in order. */
function session(hub: EventHub, sentences: number, text = 'A sentence of an answer. '): AaepEvent[] {
  const events: AaepEvent[] = [];
  const t = new Translator({ producer: { agent_id: 'hub-test' }, emit: (e) => (events.push(e), hub.publish(e)) });
  const root = span++;
  const llm = span++;
  const s = started(root, undefined, { 'aaep.span.kind': 'session' }, 1_000);
  const l = started(llm, root, { 'aaep.span.kind': 'llm' }, 1_001);
  t.handle(s);
  t.handle(l);
  for (let i = 0; i < sentences; i++) t.handle(event(llm, 'aaep.output.chunk', { 'aaep.output.text': text }, 1_002));
  t.handle(ended(l, 1_003));
  t.handle(ended(s, 1_004));
  return events;
}

describe('EventHub', () => {
  it('delivers events on a later tick, in order, framed for SSE', async () => {
    const hub = new EventHub();
    const sink = new RecordingSink();
    hub.subscribe(sink);
    const published = session(hub, 3);
    expect(sink.ids).toEqual([]);
    await tick();
    expect(sink.ids).toEqual(published.map((e) => e.event_id));
  });

  it('never keeps more events or bytes than configured, across many wraps of its ring', () => {
    const hub = new EventHub({ retentionEvents: 500, retentionBytes: 1024 * 1024 });
    for (let n = 0; n < 300; n++) session(hub, 1 + (n % 7), 'x'.repeat(50 + ((n * 37) % 900)) + '. ');
    const { events, bytes, capacityBytes } = hub.retention;
    expect(events).toBeLessThanOrEqual(500);
    expect(events).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(capacityBytes);
    expect(capacityBytes).toBe(1024 * 1024);
  });

  it('resumes after a retained event id with exactly the events that followed, after the ring wrapped', async () => {
    const hub = new EventHub({ retentionEvents: 100_000, retentionBytes: 1024 * 1024 });
    const all: AaepEvent[] = [];
    for (let n = 0; n < 400; n++) all.push(...session(hub, 2, 'y'.repeat(400) + '. '));
    const { events } = hub.retention;
    expect(events).toBeLessThan(all.length);
    const resumeFrom = all[all.length - 50]!;
    const sink = new RecordingSink();
    hub.subscribe(sink, { lastEventId: resumeFrom.event_id });
    await tick();
    expect(sink.ids).toEqual(all.slice(all.length - 49).map((e) => e.event_id));
  });

  it('gets a burst larger than its window to a subscriber that keeps up', async () => {
    const hub = new EventHub({ retentionEvents: 10 });
    const sink = new RecordingSink();
    hub.subscribe(sink);
    const published = session(hub, 200);
    await tick();
    expect(sink.ids).toEqual(published.map((e) => e.event_id));
    expect(sink.closedBy).toBeUndefined();
  });

  it('disconnects a subscriber that stops taking writes once it lags past its bound, and no one else', async () => {
    const hub = new EventHub({ subscriberQueueEvents: 50 });
    const stalled = new RecordingSink();
    const reader = new RecordingSink();
    hub.subscribe(stalled);
    hub.subscribe(reader);
    stalled.accepting = false;
    const published: AaepEvent[] = [];
    for (let n = 0; n < 20; n++) {
      published.push(...session(hub, 5));
      await tick();
    }
    expect(stalled.closedBy).toBe('overflow');
    expect(reader.closedBy).toBeUndefined();
    expect(reader.ids).toEqual(published.map((e) => e.event_id));
    expect(hub.subscriberCount).toBe(1);
  });

  it('counts a catch-up against the subscriber byte bound while it is being sent', async () => {
    const queueBytes = 256 * 1024;
    const started = session(new EventHub(), 0)[0]!;
    const hub = new EventHub({
      subscriberQueueBytes: queueBytes,
      catchUp: () => Array.from({ length: 2_000 }, (_, i) => ({ sessionId: `sess_${i}`, events: [started] })),
    });
    const stalled = new RecordingSink();
    stalled.accepting = false;
    hub.subscribe(stalled);
    await tick();
    const caughtUp = stalled.events.length * Buffer.byteLength(`event: aaep.event\ndata: ${JSON.stringify(started)}\n\n`);
    // One slice went out before the transport said it was full; the rest waits.
    expect(caughtUp).toBeGreaterThanOrEqual(64 * 1024);
    expect(caughtUp).toBeLessThan(queueBytes / 2);
    const before = hub.retention.bytes;
    while (stalled.closedBy === undefined) {
      session(hub, 1);
      await tick();
    }
    expect(stalled.closedBy).toBe('overflow');
    // Dropped with fewer live bytes behind than the bound: the catch-up sent counted too.
    expect(hub.retention.bytes - before).toBeLessThan(queueBytes);
    expect(hub.retention.bytes - before + caughtUp).toBeGreaterThan(queueBytes);
  });

  it('sends a session-filtered subscriber only that session', async () => {
    const hub = new EventHub();
    const first = session(hub, 0);
    const sink = new RecordingSink();
    hub.subscribe(sink, { sessionId: 'sess_nothing' });
    const filtered = new RecordingSink();
    const second = session(hub, 1);
    hub.subscribe(filtered, { sessionId: second[0]!.session_id, lastEventId: first.at(-1)!.event_id });
    session(hub, 1);
    await tick();
    expect(sink.ids).toEqual([]);
    expect(filtered.ids).toEqual(second.map((e) => e.event_id));
  });

  it('waits in flush until subscribers caught up, and ends them on close, once', async () => {
    const hub = new EventHub();
    const sink = new RecordingSink();
    hub.subscribe(sink);
    const published = session(hub, 2);
    await hub.flush();
    expect(sink.ids).toHaveLength(published.length);
    hub.close();
    hub.close();
    expect(sink.closedBy).toBe('shutdown');
    session(hub, 1);
    expect(hub.retention.events).toBe(published.length);
  });
});
