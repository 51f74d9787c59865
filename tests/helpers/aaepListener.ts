/**
 * A real subscriber over SSE (fetch + eventsource-parser, replies POSTed) that records
 * every item in arrival order: events (checked against the core schemas) and handshake
 * answers (checked against the handshake schemas).
 */
import { createParser } from 'eventsource-parser';
import { validateAgainstSpec } from './aaepSchemas.js';
import { validateHandshakeAgainstSpec } from './handshakeSchemas.js';
import type { WireEvent } from './sseClient.js';

export type Answer = Record<string, unknown> & { type: 'subscription.accepted' | 'subscription.rejected' };
export type Item = { kind: 'event'; event: WireEvent; at: number } | { kind: 'answer'; answer: Answer; at: number };

export interface Listener {
  readonly items: Item[];
  readonly events: WireEvent[];
  readonly answers: Answer[];
  /** The id the stream was given when it opened. */
  readonly subscriptionId: string;
  /** Sends a handshake or reply message the way this transport does; resolves with the HTTP answer, if any. */
  send(message: unknown): Promise<{ status: number; body: unknown }>;
  waitFor(predicate: (listener: Listener) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves when the producer ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export function record(listener: Listener, item: Item, notify: () => void): void {
  if (item.kind === 'event') {
    const errors = validateAgainstSpec(item.event);
    if (errors.length > 0) throw new Error(`schema-invalid event: ${errors.join('; ')}\n${JSON.stringify(item.event)}`);
    listener.events.push(item.event);
  } else {
    const errors = validateHandshakeAgainstSpec(item.answer);
    if (errors.length > 0) throw new Error(`schema-invalid handshake answer: ${errors.join('; ')}\n${JSON.stringify(item.answer)}`);
    listener.answers.push(item.answer);
  }
  listener.items.push(item);
  notify();
}

export function waiting(listener: Listener) {
  const waiters = new Set<() => void>();
  return {
    notify: () => {
      for (const waiter of [...waiters]) waiter();
    },
    waitFor(predicate: (l: Listener) => boolean, timeoutMs = 15_000): Promise<void> {
      if (predicate(listener)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; ${listener.events.length} events (${listener.events.map((e) => e.type.slice(11)).join(', ')}), answers ${JSON.stringify(listener.answers)}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(listener)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
  };
}

export async function listenSse(baseUrl: string, options: { headers?: Record<string, string>; query?: string } = {}): Promise<Listener & { raw: string[] }> {
  const controller = new AbortController();
  const headers = options.headers ?? {};
  const response = await fetch(`${baseUrl}/aaep/v1/events${options.query ?? ''}`, { headers: { Accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const subscriptionId = response.headers.get('aaep-subscription-id') ?? '';
  const raw: string[] = [];
  const listener: Listener & { raw: string[] } = {
    raw,
    items: [],
    events: [],
    answers: [],
    subscriptionId,
    async send(message) {
      const res = await fetch(`${baseUrl}/aaep/v1/messages?subscription_id=${subscriptionId}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(message),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    waitFor: () => Promise.resolve(),
    ended: Promise.resolve(),
    close: () => controller.abort(),
  };
  const wait = waiting(listener);
  listener.waitFor = wait.waitFor;
  const parser = createParser({
    onEvent(message) {
      const at = performance.now();
      if (message.event === 'aaep.event') {
        const event = JSON.parse(message.data) as WireEvent;
        // A catch-up's re-sent events carry no SSE id (see src/hub/CatchUp.ts); a live one must carry its own.
        if (message.id !== undefined && message.id !== event.event_id) throw new Error(`SSE id ${message.id} differs from event_id ${event.event_id}`);
        record(listener, { kind: 'event', event, at }, wait.notify);
      } else if (message.event === 'aaep.handshake') {
        record(listener, { kind: 'answer', answer: JSON.parse(message.data) as Answer, at }, wait.notify);
      }
    },
  });
  (listener as { ended: Promise<void> }).ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        raw.push(text);
        parser.feed(text);
      }
    } catch {
      // Aborted by us, or cut off by the producer (a subscriber that fell behind): ended either way.
    }
  })();
  return listener;
}

export function request(capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return { type: 'subscription.request', aaep_version: '1.0.0', subscriber_id: 'test-subscriber', capabilities, ...extra };
}

export type TransportName = 'sse' | 'ws';

/** A listener over the named transport. */
export async function listen(transport: TransportName, baseUrl: string, options: { headers?: Record<string, string>; query?: string } = {}): Promise<Listener> {
  if (transport === 'sse') return listenSse(baseUrl, options);
  const { listenWs } = await import('./wsListener.js');
  return listenWs(baseUrl, options);
}
