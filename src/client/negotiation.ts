import type { Capabilities, SubscriptionAccepted, SubscriptionRejected } from '../protocol/index.js';
import { AaepClientError } from './AaepClientError.js';
import { endpointUrl } from './endpointUrl.js';

/** Response header of an AAEP event stream naming its subscription id. */
export const SUBSCRIPTION_ID_HEADER = 'AAEP-Subscription-Id';
export const SUBSCRIPTIONS_PATH = '/aaep/v1/subscriptions';
export const WEBSOCKET_PATH = '/aaep/v1/ws';
/** The AAEP version this client asks for. */
export const CLIENT_AAEP_VERSION = '1.0.0';

export function subscriptionRequest(subscriberId: string, capabilities: Capabilities) {
  return { type: 'subscription.request', aaep_version: CLIENT_AAEP_VERSION, subscriber_id: subscriberId, capabilities } as const;
}

/**
 * POSTs a handshake request to the producer's subscriptions endpoint: for the open stream
 * `streamId` names, or, without one, ahead of the stream it will open (spec B.1.2).
 */
export function postRequest(
  fetchFn: typeof fetch,
  baseUrl: string,
  message: ReturnType<typeof subscriptionRequest>,
  authorization: string | undefined,
  signal: AbortSignal,
  streamId?: string,
): Promise<Response> {
  const at = endpointUrl(baseUrl, SUBSCRIPTIONS_PATH);
  if (streamId !== undefined) at.searchParams.set('subscription_id', streamId);
  return fetchFn(at.href, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization !== undefined && { Authorization: authorization }) },
    body: JSON.stringify(message),
    signal,
  });
}

/** The error a rejection ends the subscription with. */
export function rejection(answer: SubscriptionRejected): AaepClientError {
  return new AaepClientError(`The producer rejected the subscription (${answer.reason_code}): ${answer.reason_message}`, { code: 'rejected' });
}

/** A handshake answer from its JSON text, or undefined when it is not one. */
export function parseAnswer(text: string): SubscriptionAccepted | SubscriptionRejected | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  return type === 'subscription.accepted' || type === 'subscription.rejected' ? (value as SubscriptionAccepted | SubscriptionRejected) : undefined;
}

/** The parts of the WebSocket API the client uses: the browser's, Node 22's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;
