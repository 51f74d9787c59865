/** A real subscriber over the WebSocket binding (the `ws` client, subprotocol aaep.v1). */
import WebSocket from 'ws';
import { record, waiting, type Answer, type Listener } from './aaepListener.js';
import type { WireEvent } from './sseClient.js';

export interface WsListener extends Listener {
  readonly socket: WebSocket;
  /** Other JSON the producer sent (errors, user-input answers). */
  readonly others: unknown[];
  /** Close code and reason, once closed. */
  readonly closeInfo: Promise<{ code: number; reason: string }>;
}

export async function listenWs(
  baseUrl: string,
  options: { headers?: Record<string, string>; query?: string; protocols?: string[] } = {},
): Promise<WsListener> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/aaep/v1/ws${options.query ?? ''}`;
  const socket = new WebSocket(url, options.protocols ?? ['aaep.v1'], { headers: options.headers ?? {} });
  let subscriptionId = '';
  socket.once('upgrade', (response) => {
    subscriptionId = String(response.headers['aaep-subscription-id'] ?? '');
  });
  const others: unknown[] = [];
  const closeInfo = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const listener: WsListener = {
    socket,
    others,
    closeInfo,
    items: [],
    events: [],
    answers: [],
    get subscriptionId() {
      return subscriptionId;
    },
    async send(message) {
      const before = listener.answers.length;
      socket.send(JSON.stringify(message));
      const type = (message as { type?: string }).type ?? '';
      // Over WebSocket the answer comes on the socket; wait for it so callers can read it.
      if (type === 'subscription.request' || type === 'subscription.renegotiate') {
        await listener.waitFor((l) => l.answers.length > before || socket.readyState !== WebSocket.OPEN);
        return { status: 200, body: listener.answers[before] };
      }
      return { status: 0, body: undefined };
    },
    waitFor: () => Promise.resolve(),
    ended: closeInfo.then(() => undefined),
    close: () => socket.terminate(),
  };
  const wait = waiting(listener);
  listener.waitFor = wait.waitFor;
  socket.on('message', (data) => {
    const at = performance.now();
    const message = JSON.parse(data.toString()) as Record<string, unknown>;
    const type = String(message.type ?? '');
    if (type.startsWith('aaep:')) record(listener, { kind: 'event', event: message as WireEvent, at }, wait.notify);
    else if (type === 'subscription.accepted' || type === 'subscription.rejected') record(listener, { kind: 'answer', answer: message as Answer, at }, wait.notify);
    else {
      others.push(message);
      wait.notify();
    }
  });
  socket.on('close', () => wait.notify());
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return listener;
}
