/**
 * aaep-otel/client: follow an AAEP event stream and answer the agent, from Node 20
 * or a browser. Nothing here depends on Node or on the server side of aaep-otel.
 */
export { subscribe } from './subscribe.js';
export type { AaepSubscription, RetryOptions, SubscribeOptions, SubscriptionStatus } from './SubscribeOptions.js';
export { reply, type ReplyAnswer, type ReplyOptions } from './reply.js';
export { announce } from './announce.js';
export { userLanguages } from './userLanguages.js';
export { SessionLabels, shortLabel, type OpenSession } from '../ui/SessionLabels.js';
export { AaepClientError, type AaepClientErrorCode } from './AaepClientError.js';
export type { WebSocketConstructor, WebSocketLike } from './negotiation.js';
export type {
  AaepEvent,
  AaepEventOf,
  AaepEventType,
  AwaitingClarification,
  AwaitingConfirmation,
  Capabilities,
  ClarificationResponse,
  Decision,
  SubscriptionAccepted,
  Verbosity,
} from '../protocol/index.js';
