/**
 * The translator's thread (see AaepWorkerSpanProcessor): reads the records the
 * agent's thread writes into the shared ring, translates them, keeps the hub and
 * serves the AAEP endpoints, so sockets and serialisation never touch the agent's
 * event loop. Decisions on its questions go back to the agent as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import { pendingFor } from '../../agent/DecisionStore.js';
import { ReplyRegistry } from '../../agent/ReplyRegistry.js';
import { createHubBackend } from '../../hub/createHubBackend.js';
import { EventHub } from '../../hub/EventHub.js';
import { startAaepServer } from '../../http/startAaepServer.js';
import { warnLimit } from '../../limits.js';
import type { SpanRecord } from '../../records.js';
import { Translator } from '../../translate/index.js';
import { decodeRecords, type StartedSpan } from './decodeRecords.js';
import { RingReader } from './RecordRing.js';
import type { FromWorker, ToWorker, TranslatorWorkerData } from './WorkerProtocol.js';
import { describe, forwardDiag } from './workerThreads.js';

/**
 * Time the worker translates before it lets its sockets and timers run: delivery must keep
 * pace, or a burst would push undelivered events out of the hub's ring (and drop a listener).
 */
const TURN_MS = 2;

const port = parentPort!;
const data = workerData as TranslatorWorkerData;
const send = (message: FromWorker) => port.postMessage(message);

forwardDiag(send, data.diagLevel);

const replies = new ReplyRegistry({ maxPending: data.maxPendingReplies, onLimit: warnLimit });
const translator = new Translator({
  producer: data.producer,
  language: data.language,
  emit: (event, owner) => backend.publish(event, owner),
  onViolation: (message) => diag.warn(`aaep-otel: ${message}`),
  onSessionClosed: (sessionId) => replies.cancelSession(sessionId),
  // The agent registered the token before asking; here replies are checked, and the decision sent back.
  onReplyRequested: (request) => replies.register(request.token, pendingFor(request, (decision) => send({ type: 'decision', token: request.token, decision }))),
  maxSessions: data.maxSessions,
  maxSpansPerSession: data.maxSpansPerSession,
  onLimit: warnLimit,
});
const hub = new EventHub({
  ...data.hub,
  catchUp: (sessionId, maxSessions, hears) => translator.catchUp(sessionId, maxSessions, Date.now(), hears),
  producer: data.producer,
  replies,
});
const backend = createHubBackend(hub, { hubUrl: data.hubUrl, retentionEvents: data.hub.retentionEvents });
const ring = new RingReader(data.ring);
let stopping = false;

const translate = (record: SpanRecord) => translator.handle(record);
/** Followed spans between their start and end, by the handle the agent's thread gave them. */
const spans = new Map<number, StartedSpan>();

/** Translates what the ring holds, up to `max` batches. */
function drain(max = Infinity): number {
  return ring.read((bytes) => {
    try {
      decodeRecords(bytes, translate, spans);
    } catch (error) {
      diag.error('aaep-otel: span records could not be translated', describe(error));
    }
  }, max);
}

async function follow(): Promise<void> {
  while (!stopping) {
    const turn = performance.now() + TURN_MS;
    let read = 0;
    while (performance.now() < turn && (read = drain(1)) === 1);
    if (read === 1) await new Promise((resolve) => setImmediate(resolve));
    else await ring.nextWrite();
  }
}

let server: Awaited<ReturnType<typeof startAaepServer>> | undefined;
try {
  server = await startAaepServer({ ...data.server, hub, replies, producer: data.producer });
  send({ type: 'ready', server: { url: server.url, port: server.port, host: server.host, authenticated: server.authenticated, notice: server.notice } });
} catch (error) {
  send({ type: 'failed', message: describe(error) });
}

port.on('message', (message: ToWorker) => {
  void (async () => {
    // Everything the agent wrote before asking is in the ring by now.
    drain();
    if (message.type === 'shutdown') {
      stopping = true;
      ring.wake();
      translator.cancelAll(Date.now(), 'producer_shutdown');
      replies.cancelAll();
      await backend.close().catch((error: unknown) => diag.error('aaep-otel: closing the hub failed', describe(error)));
      await hub.flush(2_000);
      hub.close();
      await server?.close();
      send({ type: 'done', id: message.id });
      port.close();
      return;
    }
    await backend.stored().catch((error: unknown) => diag.error('aaep-otel: storing events failed', describe(error)));
    await hub.flush();
    send({ type: 'done', id: message.id });
  })();
});

void follow();
