import type { ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { HandshakeAnswer, SubscriptionChannel, ChannelTransport } from '../hub/SubscriptionChannel.js';
import type { SubscriptionRegistry } from '../hub/SubscriptionRegistry.js';
import { SubscriberHandshakeMessageSchema, SUBSCRIPTION_ID_PATTERN } from '../protocol/index.js';
import { type SseSink, endStream } from './SseSink.js';
import { sseFrame } from './sseFrame.js';

/** Response header naming the subscription id of an event stream. */
export const SUBSCRIPTION_ID_HEADER = 'AAEP-Subscription-Id';
/** SSE event name of handshake answers on the stream (core events stay `aaep.event`). */
export const HANDSHAKE_EVENT = 'aaep.handshake';

export const HANDSHAKE_TYPES = new Set(['subscription.request', 'subscription.renegotiate', 'subscription.close']);

/** The SSE binding of a channel: events as the hub framed them, answers as `aaep.handshake`. */
export function sseTransport(response: ServerResponse, sink: SseSink): ChannelTransport {
  return {
    kind: 'sse',
    write: (frames) => sink.write(frames),
    send(message: HandshakeAnswer) {
      if (!response.writableEnded && !response.destroyed) response.write(sseFrame({ event: HANDSHAKE_EVENT, data: JSON.stringify(message) }));
    },
    end(reason) {
      if (reason === 'overflow') sink.close('overflow');
      else endStream(response);
    },
  };
}

const INVALID = { error: 'invalid_message', message: 'Not a valid subscription.request, subscription.renegotiate or subscription.close message.' } as const;

/**
 * A handshake message POSTed over HTTP: it goes to the stream named by its
 * `subscription_id` (renegotiate, close), the `subscription_id` query parameter or
 * `AAEP-Subscription-Id` header (request); the answer is the stream's next item and also
 * the response body. A request naming no stream is, at `/aaep/v1/subscriptions`,
 * negotiated ahead of its stream (spec B.1.2: 201 with `Location` of the stream to open)
 * and, at `/aaep/v1/messages`, for the only open SSE stream.
 */
export async function postHandshake(registry: SubscriptionRegistry, req: Request, res: Response, eventsPathIfAhead: string | undefined): Promise<void> {
  const parsed = SubscriberHandshakeMessageSchema.safeParse(req.body);
  if (!parsed.success) {
    res.status(400).json(INVALID);
    return;
  }
  const message = parsed.data;
  const named = message.type === 'subscription.request' ? requestedId(req) : message.subscription_id;
  if (named !== undefined && !SUBSCRIPTION_ID_PATTERN.test(named)) {
    res.status(400).json({ error: 'invalid_request', message: 'subscription_id must look like sub_<letters and digits>.' });
    return;
  }
  if (named === undefined && eventsPathIfAhead !== undefined && message.type === 'subscription.request') {
    const answer = await registry.negotiateAhead(message);
    if (answer.ok) res.status(201).location(`${eventsPathIfAhead}?subscription_id=${answer.message.subscription_id}`);
    else res.status(200);
    res.json(answer.message);
    return;
  }
  const channel: SubscriptionChannel | undefined = named !== undefined ? registry.get(named) : registry.onlySse();
  if (channel === undefined && named !== undefined && message.type === 'subscription.close' && registry.forget(named)) {
    res.status(204).end();
    return;
  }
  if (channel === undefined) {
    res.status(named !== undefined ? 404 : 409).json({
      error: named !== undefined ? 'unknown_subscription' : 'no_stream',
      message:
        named !== undefined
          ? 'No open stream has this subscription id.'
          : 'Open the event stream first, then send subscription_id (the AAEP-Subscription-Id header of the stream) with the request.',
    });
    return;
  }
  const answer = await channel.handle(message);
  if (answer === undefined) res.status(204).end();
  else res.status(200).json(answer);
}

function requestedId(req: Request): string | undefined {
  const query = req.query.subscription_id;
  if (typeof query === 'string' && query !== '') return query;
  return req.get(SUBSCRIPTION_ID_HEADER);
}

/**
 * The subscription a stream or socket opens under: the `subscription_id` of one negotiated
 * ahead (spec B.1.2) or kept for a reconnection (B.1.5), or undefined when none is named.
 * Null when the one named does not wait, after answering 404.
 */
export function waitingSubscription(req: Request, res: Response, registry: SubscriptionRegistry, opening: 'stream' | 'socket'): string | undefined | null {
  const named = typeof req.query.subscription_id === 'string' ? req.query.subscription_id : undefined;
  if (named === undefined || (SUBSCRIPTION_ID_PATTERN.test(named) && registry.isPending(named))) return named;
  res.status(404).json({ error: 'unknown_subscription', message: `No negotiated subscription waits for a ${opening} with this subscription_id; send a subscription.request.` });
  return null;
}
