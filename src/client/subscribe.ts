import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import type { Capabilities } from '../protocol/index.js';
import type { AaepSubscription, SubscribeOptions, SubscriptionStatus } from './SubscribeOptions.js';
import { AaepClientError } from './AaepClientError.js';
import { announce } from './announce.js';
import { EVENTS_PATH, endpointUrl } from './endpointUrl.js';
import {
  SUBSCRIPTION_ID_HEADER,
  WEBSOCKET_PATH,
  parseAnswer,
  postRequest,
  rejection,
  subscriptionRequest,
  type WebSocketConstructor,
} from './negotiation.js';
import { parseEvent } from './parseEvent.js';
import { RecentIds } from './RecentIds.js';
import { userLanguages } from './userLanguages.js';
import { SessionLabels } from '../ui/SessionLabels.js';

/** The empty SSE frame an aaep-otel server ends a catch-up with: its id is where live events start. */
const POSITION_EVENT = 'aaep.position';
/** Ids remembered to drop repeats; far more than a resume ever repeats. */
const RECENT_EVENT_IDS = 4_096;
/** The largest event accepted (characters), so a broken stream cannot exhaust memory. */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/**
 * Follows an AAEP event stream (`url`: the server, or its `/aaep/v1/events`) and
 * keeps following it: after any drop it reconnects with exponential backoff and
 * full jitter (never sooner than the server's `retry:`), resuming with
 * `Last-Event-ID`, and delivers every event exactly once, in order. It stops on
 * `close()`, on `signal`, or on an answer that retrying cannot fix (401, 403, 404, …).
 * Runs in Node 20 and in browsers: fetch, TextDecoder, AbortController and timers only.
 */
export function subscribe(url: string, options: SubscribeOptions): AaepSubscription {
  const target = endpointUrl(url, EVENTS_PATH);
  if (options.sessionId !== undefined) target.searchParams.set('session_id', options.sessionId);
  // Messages name the endpoint without its query, which may hold an access token.
  const where = `${target.origin}${target.pathname}`;
  const request = options.fetch ?? fetch;
  const verbosity = options.verbosity ?? 'normal';
  const initialMs = Math.max(0, options.retry?.initialMs ?? 500);
  const maxMs = Math.max(initialMs, options.retry?.maxMs ?? 30_000);
  const maxAttempts = options.retry?.maxAttempts ?? Number.POSITIVE_INFINITY;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;

  const stopped = new AbortController();
  const recent = new RecentIds(RECENT_EVENT_IDS);
  const labels = new SessionLabels();
  let lastEventId = options.lastEventId === '' ? undefined : options.lastEventId;
  /** The subscription negotiated ahead of its SSE stream, kept so a reconnection opens under the same terms. */
  let aheadId: string | undefined;
  /** Its `subscription.accepted`, told (`onNegotiated`) once the stream it names is open. */
  let acceptedAhead: string | undefined;
  const tellAccepted = () => {
    if (acceptedAhead !== undefined) answered(acceptedAhead);
    acceptedAhead = undefined;
  };
  let serverRetryMs = 0;
  let failures = 0;
  let status: SubscriptionStatus | undefined;

  const setStatus = (next: SubscriptionStatus): void => {
    if (next === status) return;
    status = next;
    options.onStatus?.(next);
  };

  // The verbosity switch and the user's languages are the subscriber's preference unless the capabilities say otherwise.
  const verbosityCapabilities =
    options.capabilities === undefined ? undefined : ({ preferred_verbosity: verbosity, languages: userLanguages(), ...options.capabilities } satisfies Capabilities);
  const subscriberId = options.subscriberId ?? 'aaep-otel-client';
  /** Set when the producer rejected the subscription: no retry can fix that. */
  let refused: AaepClientError | undefined;

  const answered = (text: string): void => {
    const answer = parseAnswer(text);
    if (answer === undefined) return;
    if (answer.type === 'subscription.rejected') refused = rejection(answer);
    else options.onNegotiated?.(answer);
  };

  const deliver = (message: EventSourceMessage, overWebSocket = false): void => {
    if (stopped.signal.aborted) return;
    if (message.event === 'aaep.handshake') {
      answered(message.data);
      return;
    }
    const sseId = message.id === undefined || message.id === '' ? undefined : message.id;
    if (message.event === POSITION_EVENT && sseId !== undefined) lastEventId = sseId;
    if (message.event !== undefined && message.event !== 'aaep.event') return;
    const event = parseEvent(message.data);
    if (event === undefined) {
      // Resume past it: asking for it again would only skip it again.
      if (sseId !== undefined) lastEventId = sseId;
      const which = sseId === undefined ? '' : ` ${sseId}`;
      options.onError?.(
        new AaepClientError(`Skipped malformed event${which}: not a JSON object with a type, an event_id and a session_id.`, {
          code: 'malformed_event',
        }),
      );
      return;
    }
    // A catch-up's re-sent events (a session joined mid-way, a question still open) have no
    // SSE id: they are not a place in the stream to resume from. One already seen is dropped.
    // The WebSocket binding carries no SSE ids, so there every event is a resume point: a
    // re-sent one only makes the replay after a reconnection longer, and `recent` drops it.
    if (sseId !== undefined) lastEventId = sseId;
    else if (overWebSocket) lastEventId = event.event_id;
    if (recent.has(event.event_id)) return;
    recent.add(event.event_id);
    const label = labels.observe(event);
    try {
      // No label, no third argument: a handler written before labels sees what it always did.
      if (label === undefined) options.onEvent(event, announce(event, verbosity));
      else options.onEvent(event, announce(event, verbosity), label);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      options.onError?.(new AaepClientError(`onEvent failed on ${event.event_id}: ${reason}`, { code: 'handler', cause: error }));
    }
  };

  /** One connection, from the request until the stream ends or fails. */
  const connect = async (): Promise<void> => {
    const attempt = new AbortController();
    const abortAttempt = () => attempt.abort();
    stopped.signal.addEventListener('abort', abortAttempt);
    let idle: ReturnType<typeof setTimeout> | undefined;
    let silent = false;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        silent = true;
        attempt.abort();
      }, idleTimeoutMs);
    };
    const failure = (what: string, error: unknown) =>
      silent
        ? new AaepClientError(`${what}: nothing received for ${idleTimeoutMs} ms.`, { code: 'network', cause: error })
        : AaepClientError.network(what, error);
    try {
      watch();
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
      if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
      const open = async (): Promise<Response> => {
        if (verbosityCapabilities !== undefined && aheadId === undefined) aheadId = await negotiateAhead(headers.Authorization, attempt.signal);
        const at = new URL(target);
        if (aheadId !== undefined) at.searchParams.set('subscription_id', aheadId);
        try {
          return await request(at.href, { headers, signal: attempt.signal });
        } catch (error) {
          throw failure(`Cannot reach ${where}`, error);
        }
      };
      let response = await open();
      if (response.status === 404 && aheadId !== undefined) {
        // The terms kept for our reconnection expired: negotiate anew.
        await response.body?.cancel();
        aheadId = undefined;
        response = await open();
      }
      if (!response.ok) throw await AaepClientError.fromResponse(where, response);
      const body = response.body;
      if (body === null || !/^text\/event-stream\b/i.test(response.headers.get('content-type') ?? '')) {
        await body?.cancel();
        throw new AaepClientError(`${where} did not answer with an event stream; is it an AAEP server?`, {
          code: 'protocol',
          status: response.status,
        });
      }
      failures = 0;
      setStatus('open');
      tellAccepted();
      const subscriptionId = response.headers.get(SUBSCRIPTION_ID_HEADER);
      if (verbosityCapabilities !== undefined && aheadId === undefined && subscriptionId !== null) void ask(subscriptionId, headers.Authorization, attempt.signal);
      let overflow: ParseError | undefined;
      const parser = createParser({
        onEvent: deliver,
        onRetry: (ms) => (serverRetryMs = ms),
        onError: (error) => {
          if (error.type === 'max-buffer-size-exceeded') overflow = error;
        },
        maxBufferSize: MAX_EVENT_CHARS,
      });
      const reader = body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const chunk = await reader.read().catch((error: unknown) => {
          throw failure(`Lost the connection to ${where}`, error);
        });
        if (chunk.done) {
          if (refused !== undefined) throw refused;
          return;
        }
        watch();
        parser.feed(decoder.decode(chunk.value, { stream: true }));
        if (refused !== undefined) throw refused;
        if (overflow !== undefined) {
          // Resuming would fetch the same event again: no retry can get past it.
          throw new AaepClientError(`${where} sent an event larger than ${MAX_EVENT_CHARS} characters.`, { code: 'protocol', cause: overflow });
        }
      }
    } finally {
      clearTimeout(idle);
      stopped.signal.removeEventListener('abort', abortAttempt);
      attempt.abort();
    }
  };

  /**
   * Negotiates before the stream opens (spec B.1.2), so its first event, catch-up included,
   * comes under the terms: the subscription id to open the stream with, or undefined when
   * the server does not negotiate ahead (then the stream opens first and `ask` follows).
   */
  const negotiateAhead = async (authorization: string | undefined, signal: AbortSignal): Promise<string | undefined> => {
    let response: Response;
    try {
      response = await postRequest(request, url, subscriptionRequest(subscriberId, verbosityCapabilities!), authorization, signal);
    } catch (error) {
      throw AaepClientError.network(`Cannot reach ${where}`, error);
    }
    if (response.status === 401 || response.status === 403) throw await AaepClientError.fromResponse(where, response);
    const text = await response.text();
    const answer = response.status === 200 || response.status === 201 ? parseAnswer(text) : undefined;
    if (answer?.type !== 'subscription.accepted') {
      if (answer !== undefined) answered(text);
      if (refused !== undefined) throw refused;
      return undefined;
    }
    acceptedAhead = text;
    return answer.subscription_id;
  };

  /** POSTs the request for the stream just opened; the answer arrives on the stream. */
  const ask = async (subscriptionId: string, authorization: string | undefined, signal: AbortSignal): Promise<void> => {
    try {
      const response = await postRequest(request, url, subscriptionRequest(subscriberId, verbosityCapabilities!), authorization, signal, subscriptionId);
      if (!response.ok) options.onError?.(await AaepClientError.fromResponse(where, response));
      else await response.body?.cancel();
    } catch (error) {
      if (!signal.aborted) options.onError?.(AaepClientError.network(`Cannot negotiate at ${where}`, error));
    }
  };

  /** One WebSocket connection (spec B.2): events and answers as text frames; resumes by `last_event_id`. */
  const connectWs = async (): Promise<void> => {
    // Negotiated ahead as over SSE, anew for each socket (the server keeps no terms between sockets).
    const ahead = verbosityCapabilities === undefined ? undefined : await negotiateAhead(options.token && `Bearer ${options.token}`, stopped.signal);
    return new Promise<void>((resolve, reject) => {
      const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (Socket === undefined) {
        reject(new AaepClientError('No WebSocket here: pass options.WebSocket (e.g. the ws package) or use transport sse.', { code: 'protocol' }));
        return;
      }
      const at = endpointUrl(url, WEBSOCKET_PATH);
      at.protocol = at.protocol === 'https:' ? 'wss:' : 'ws:';
      if (options.sessionId !== undefined) at.searchParams.set('session_id', options.sessionId);
      if (lastEventId !== undefined) at.searchParams.set('last_event_id', lastEventId);
      if (ahead !== undefined) at.searchParams.set('subscription_id', ahead);
      // Browsers cannot set headers on a WebSocket: the token travels as a subprotocol.
      const protocols = ['aaep.v1', ...(options.token !== undefined ? [`aaep.bearer.${options.token}`] : [])];
      const socket = new Socket(at.href, protocols);
      let opened = false;
      const stop = () => socket.close(4005, 'subscriber closed');
      stopped.signal.addEventListener('abort', stop);
      socket.addEventListener('open', () => {
        opened = true;
        failures = 0;
        setStatus('open');
        tellAccepted();
        if (verbosityCapabilities !== undefined && ahead === undefined) socket.send(JSON.stringify(subscriptionRequest(subscriberId, verbosityCapabilities)));
      });
      socket.addEventListener('message', (event) => {
        const text = typeof event.data === 'string' ? event.data : String(event.data);
        if (parseAnswer(text) !== undefined) answered(text);
        else deliver({ event: 'aaep.event', data: text } as EventSourceMessage, true);
        if (refused !== undefined) socket.close(4005, 'subscription rejected');
      });
      socket.addEventListener('error', () => undefined);
      socket.addEventListener('close', (event) => {
        stopped.signal.removeEventListener('abort', stop);
        if (refused !== undefined) reject(refused);
        else if (!opened) reject(new AaepClientError(`Cannot open a WebSocket to ${at.origin}${at.pathname} (close code ${event.code}).`, { code: 'network' }));
        else if (stopped.signal.aborted) resolve();
        else reject(new AaepClientError(`The WebSocket to ${at.origin}${at.pathname} closed (${event.code}${event.reason === '' ? '' : ` ${event.reason}`}).`, { code: 'network' }));
      });
    });
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        stopped.signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      stopped.signal.addEventListener('abort', wake);
    });

  const run = async (): Promise<void> => {
    setStatus('connecting');
    while (!stopped.signal.aborted) {
      try {
        await (options.transport === 'websocket' ? connectWs() : connect());
      } catch (caught) {
        if (stopped.signal.aborted) return;
        const error = caught instanceof AaepClientError ? caught : AaepClientError.network(`Lost the connection to ${where}`, caught);
        options.onError?.(error);
        if (!error.retryable) throw error;
        // A drop after the stream opened is not a failed attempt: that count was reset on open.
        if (status !== 'open' && ++failures >= maxAttempts) throw error;
      }
      if (stopped.signal.aborted) return;
      setStatus('reconnecting');
      const ceiling = Math.min(maxMs, initialMs * 2 ** failures);
      await pause(Math.max(serverRetryMs, Math.random() * ceiling));
    }
  };

  const onAbort = () => stopped.abort();
  if (options.signal?.aborted) stopped.abort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  // Started on the next tick, so callbacks never run before subscribe() has returned.
  const done = Promise.resolve()
    .then(run)
    .finally(() => {
      options.signal?.removeEventListener('abort', onAbort);
      stopped.abort();
      setStatus('closed');
    });
  // Callers that only use onError must not get an unhandled rejection; awaiting done still sees it.
  done.catch(() => undefined);

  return {
    close: () => stopped.abort(),
    get lastEventId() {
      return lastEventId;
    },
    done,
  };
}
