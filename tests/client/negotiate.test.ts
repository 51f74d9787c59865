import WebSocket from 'ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AaepClientError, subscribe, type AaepEvent, type SubscriptionAccepted, type WebSocketConstructor } from '../../src/client/index.js';
import { EventHub, startAaepServer, type AaepServerOptions } from '../../src/index.js';
import { publishSession } from '../helpers/fakeSession.js';
import { connectSse } from '../helpers/sseClient.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The user's locale, as a shell would set it. */
function locale(lang: string, language = ''): void {
  vi.stubEnv('LANG', lang);
  vi.stubEnv('LANGUAGE', language);
  vi.stubEnv('LC_ALL', '');
  vi.stubEnv('LC_MESSAGES', '');
}

async function serve(options: Partial<AaepServerOptions> = {}) {
  const hub = new EventHub({ producer: { agent_id: 'test-agent' } });
  const server = await startAaepServer({ hub, port: 0, retryMs: 5, ...options });
  cleanups.push(() => server.close());
  return { hub, url: server.url };
}

function follow(url: string, options: Partial<Parameters<typeof subscribe>[1]> = {}) {
  const events: AaepEvent[] = [];
  const accepted: SubscriptionAccepted[] = [];
  const errors: AaepClientError[] = [];
  const subscription = subscribe(url, {
    retry: { initialMs: 5, maxMs: 40, maxAttempts: 3 },
    ...options,
    onEvent: (event) => events.push(event),
    onNegotiated: (answer) => accepted.push(answer),
    onError: (error) => errors.push(error),
  });
  cleanups.push(() => subscription.close());
  const until = async (predicate: () => boolean) => {
    const deadline = Date.now() + 15_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${events.length} events, ${errors.map((e) => e.message).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { events, accepted, errors, subscription, until };
}

const ended = (events: AaepEvent[]) => events.some((e) => e.type === 'aaep:agent.session.completed');

for (const transport of ['sse', 'websocket'] as const) {
  describe(`subscribe() negotiating over ${transport}`, () => {
    const ws = transport === 'websocket' ? { transport, WebSocket: WebSocket as unknown as WebSocketConstructor } : { transport };

    it('asks with its capabilities and the verbosity switch, and reports the producer\'s terms', async () => {
      locale('en_GB.UTF-8');
      const { hub, url } = await serve({ token: 'secret' });
      const client = follow(url, { ...ws, token: 'secret', verbosity: 'terse', capabilities: { max_events_per_second: 1, event_filters: { include: ['aaep:agent.session.*'] } } });
      await client.until(() => client.accepted.length === 1);
      expect(client.accepted[0]!.honored_capabilities).toEqual({ preferred_verbosity: 'terse', languages: ['en-GB'], max_events_per_second: 1, event_filters: { include: ['aaep:agent.session.*'] } });
      publishSession(hub, 4);
      await client.until(() => ended(client.events));
      expect(client.events.map((e) => e.type)).toEqual(['aaep:agent.session.started', 'aaep:agent.session.completed']);
    });

    it('asks in the languages of the user\'s locale, English after them, unless told otherwise', async () => {
      locale('de_AT.UTF-8', 'de_AT:yo');
      const { url } = await serve();
      const client = follow(url, { ...ws, capabilities: { max_events_per_second: 5 } });
      await client.until(() => client.accepted.length === 1);
      expect(client.accepted[0]!.honored_capabilities.languages).toEqual(['de-AT', 'en']);
      const told = follow(url, { ...ws, capabilities: { languages: ['fr-CA'] } });
      await told.until(() => told.accepted.length === 1);
      expect(told.accepted[0]!.honored_capabilities.languages).toEqual(['fr-CA']);
    });

    it('ends with a rejected error when the producer turns the capabilities down', async () => {
      const { url } = await serve();
      const client = follow(url, { ...ws, capabilities: { languages: ['yo-NG'] } });
      await expect(client.subscription.done).rejects.toMatchObject({ code: 'rejected', message: expect.stringContaining('capabilities_incompatible') });
    });
  });
}

describe('subscribe() over websocket', () => {
  it('hears what an SSE subscriber hears without negotiating, and resumes after the server restarts its streams', async () => {
    const { hub, url } = await serve();
    const sse = await connectSse(`${url}/aaep/v1/events`);
    cleanups.push(() => sse.close());
    const client = follow(url, { transport: 'websocket', WebSocket: WebSocket as unknown as WebSocketConstructor });
    // Both streams are live before the session starts, so neither hears it as a catch-up.
    await client.until(() => hub.subscriberCount === 2);
    publishSession(hub, 6);
    await client.until(() => ended(client.events));
    await sse.waitFor((events) => events.some((e) => e.type === 'aaep:agent.session.completed'));
    expect(client.events).toEqual(sse.events);
    expect(client.subscription.lastEventId).toBe(sse.events.at(-1)?.event_id);
  });
});
