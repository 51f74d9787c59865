import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/hub/EventHub.js';
import { hubKeys, RedisHubBackend, type RedisHubOptions } from '../../src/hub/RedisHubBackend.js';
import { publishSession } from '../helpers/fakeSession.js';
import { collectEvents } from '../helpers/hubEvents.js';
import { useRedisServer } from '../helpers/redisServer.js';
import type { WireEvent } from '../helpers/sseClient.js';
import { expectLegalStream } from '../helpers/streamRules.js';

const redis = useRedisServer();
let prefix = 0;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Instances sharing one hub: each test gets its own key prefix on the one Redis. */
function sharedHub(): { instance: (options?: Partial<RedisHubOptions>) => Promise<{ backend: RedisHubBackend; hub: EventHub; events: WireEvent[] }>; keys: ReturnType<typeof hubKeys> } {
  const keyPrefix = `t${++prefix}`;
  return {
    keys: hubKeys(keyPrefix),
    async instance(options = {}) {
      const hub = new EventHub();
      const backend = new RedisHubBackend(hub, { url: redis.url, keyPrefix, ...options });
      cleanups.push(async () => {
        await backend.close();
        hub.close();
      });
      await backend.ready();
      return { backend, hub, events: collectEvents(hub) };
    },
  };
}

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function client(): Redis {
  const connection = new Redis(redis.url);
  cleanups.push(() => connection.quit());
  return connection;
}

describe('the hub on Redis Streams', () => {
  it('gives subscribers of every instance every instance’s events, once, in one order', async () => {
    const shared = sharedHub();
    const a = await shared.instance();
    const b = await shared.instance();
    publishSession(a.backend, 5);
    publishSession(b.backend, 3);
    publishSession(a.backend, 2);
    await until(() => a.events.length > 0 && a.events.length === b.events.length && a.events.at(-1)?.type === b.events.at(-1)?.type && a.events.filter((e) => e.type === 'aaep:agent.session.completed').length === 3);
    expect(a.events).toEqual(b.events);
    expect(new Set(a.events.map((e) => e.event_id)).size).toBe(a.events.length);
    for (const sessionId of new Set(a.events.map((e) => e.session_id))) expectLegalStream(a.events.filter((e) => e.session_id === sessionId));
  });

  it('stores an event produced on two instances once (an OTLP retry that reached both)', async () => {
    const shared = sharedHub();
    const a = await shared.instance();
    const b = await shared.instance();
    const events: Parameters<EventHub['publish']>[0][] = [];
    publishSession({ publish: (event) => events.push(event) }, 4);
    for (const event of events) {
      a.backend.publish(event);
      b.backend.publish(event);
    }
    await a.backend.stored();
    await b.backend.stored();
    expect(await client().xlen(shared.keys.stream)).toBe(events.length);
    await until(() => b.events.length === events.length);
    expect(b.events.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
  });

  it('resumes a subscriber on another instance after the last event it heard, even on an instance started later', async () => {
    const shared = sharedHub();
    const a = await shared.instance();
    publishSession(a.backend, 6);
    await a.backend.stored();
    await until(() => a.events.some((e) => e.type === 'aaep:agent.session.completed'));
    const late = await shared.instance();
    const heard = a.events.slice(0, 4);
    const resumed: string[] = [];
    late.hub.subscribe(
      { write: (frames) => (resumed.push(...[...frames.toString().matchAll(/^id: (.+)$/gm)].map((m) => m[1]!)), true), close: () => {} },
      { lastEventId: heard.at(-1)!.event_id },
    );
    await until(() => resumed.length === a.events.length - heard.length);
    expect([...heard.map((e) => e.event_id), ...resumed]).toEqual(a.events.map((e) => e.event_id));
  });

  it('trims the stream to the retention setting (XADD MAXLEN)', async () => {
    const shared = sharedHub();
    const a = await shared.instance({ retentionEvents: 100 });
    for (let i = 0; i < 20; i++) publishSession(a.backend, 20);
    await a.backend.stored();
    const length = await client().xlen(shared.keys.stream);
    // Approximate trimming drops whole macro-nodes (100 entries by default): never far above the bound.
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
  });

  it('remembers an event id for dedupSeconds, then forgets it (Redis expiry)', async () => {
    const shared = sharedHub();
    const a = await shared.instance({ dedupSeconds: 60 });
    const events: Parameters<EventHub['publish']>[0][] = [];
    publishSession({ publish: (event) => events.push(event) }, 1);
    a.backend.publish(events[0]!);
    await a.backend.stored();
    const ttl = await client().ttl(shared.keys.event(events[0]!.event_id));
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await client().get(shared.keys.event(events[0]!.event_id))).toMatch(/^\d+-\d+$/);
  });

  it('takes its settings from AAEP_HUB_* when no option is given, and an option over the variable', async () => {
    const shared = sharedHub();
    process.env.AAEP_HUB_DEDUP_SECONDS = '120';
    cleanups.push(() => delete process.env.AAEP_HUB_DEDUP_SECONDS);
    const fromEnv = await shared.instance();
    const explicit = await shared.instance({ dedupSeconds: 30 });
    const startOfSession = (): Parameters<EventHub['publish']>[0] => {
      const events: Parameters<EventHub['publish']>[0][] = [];
      publishSession({ publish: (event) => events.push(event) }, 1);
      return events[0]!;
    };
    const first = startOfSession();
    const second = startOfSession();
    fromEnv.backend.publish(first);
    explicit.backend.publish(second);
    await fromEnv.backend.stored();
    await explicit.backend.stored();
    const ttlFromEnv = await client().ttl(shared.keys.event(first.event_id));
    expect(ttlFromEnv).toBeGreaterThan(110);
    expect(ttlFromEnv).toBeLessThanOrEqual(120);
    const ttlExplicit = await client().ttl(shared.keys.event(second.event_id));
    expect(ttlExplicit).toBeGreaterThan(20);
    expect(ttlExplicit).toBeLessThanOrEqual(30);
  });
});

describe('sessions whose owner stopped', () => {
  it('are ended legally, once, by the other instances when the owner’s lease lapses', async () => {
    const shared = sharedHub();
    const owner = await shared.instance({ leaseMs: 300 });
    const b = await shared.instance({ leaseMs: 300 });
    const c = await shared.instance({ leaseMs: 300 });
    const { sessionId } = publishSession(owner.backend, 3, { end: false });
    await until(() => b.events.some((e) => e.type === 'aaep:agent.output.streaming'));
    // Renewal keeps the session open well past one lease.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(b.events.map((e) => e.type)).not.toContain('aaep:agent.session.errored');
    await owner.backend.close();
    await until(() => b.events.some((e) => e.type === 'aaep:agent.session.errored'));
    await until(() => c.events.length === b.events.length);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(c.events).toEqual(b.events);
    expectLegalStream(b.events);
    expect(b.events.filter((e) => e.type.startsWith('aaep:agent.session.') && e.type !== 'aaep:agent.session.started')).toHaveLength(1);
    expect(b.events.at(-1)).toMatchObject({ type: 'aaep:agent.session.errored', session_id: sessionId, error_category: 'transient' });
    expect(await client().sismember(shared.keys.open, sessionId)).toBe(0);
    // Whatever else is produced for the session later (a late owner, another instance) is not stored.
    const heard = b.events.length;
    const last = b.events.at(-1) as unknown as Parameters<EventHub['publish']>[0];
    b.backend.publish({ ...last, event_id: 'evt_late0', sequence_number: heard });
    c.backend.publish({ ...last, type: 'aaep:agent.session.completed', event_id: 'evt_late1', sequence_number: heard } as Parameters<EventHub['publish']>[0]);
    await b.backend.stored();
    await c.backend.stored();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(b.events).toHaveLength(heard);
  });

  it('stay with the instance that stored their start: another instance’s events for them are not stored', async () => {
    const shared = sharedHub();
    const a = await shared.instance();
    const b = await shared.instance();
    const events: Parameters<EventHub['publish']>[0][] = [];
    publishSession({ publish: (event) => events.push(event) }, 4);
    a.backend.publish(events[0]!);
    await a.backend.stored();
    // Another instance translating the rest of the trace differently (other ids) would break the sequence.
    for (const event of events.slice(1)) b.backend.publish({ ...event, event_id: `${event.event_id}x` });
    await b.backend.stored();
    for (const event of events.slice(1)) a.backend.publish(event);
    await a.backend.stored();
    await until(() => b.events.some((e) => e.type === 'aaep:agent.session.completed'));
    expect(b.events.map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
  });
});
