export { AaepSpanProcessor, type AaepSpanProcessorOptions } from './sources/AaepSpanProcessor.js';
export { AaepWorkerSpanProcessor, type AaepWorkerSpanProcessorOptions } from './sources/AaepWorkerSpanProcessor.js';
export type { WorkerHubOptions, WorkerServer, WorkerServerOptions } from './sources/worker/WorkerProtocol.js';
export { AaepSignalProcessor, type AaepSignalProcessorOptions } from './sources/AaepSignalProcessor.js';
export { RemoteReplyRegistry, type RemoteReplyOptions } from './agent/RemoteReplyRegistry.js';
export { DecisionStore, type RemoteDecision } from './agent/DecisionStore.js';
export { EventHub } from './hub/EventHub.js';
export { HUB_DEFAULTS, type EventHubOptions } from './hub/EventHubOptions.js';
export { Subscription, type SubscribeOptions, type SubscriberSink } from './hub/Subscription.js';
export { type HubBackend } from './hub/HubBackend.js';
export { MemoryHubBackend } from './hub/MemoryHubBackend.js';
export { RedisHubBackend, type RedisHubOptions } from './hub/RedisHubBackend.js';
export { createHubBackend, type HubBackendOptions } from './hub/createHubBackend.js';
export { type IngestGate } from './sources/otlp/IngestGate.js';
export { startOtlpGrpcServer, OTLP_GRPC_EXPORT_PATH, type OtlpGrpcServer, type OtlpGrpcServerOptions } from './sources/otlp/startOtlpGrpcServer.js';
export { Translator, AAEP_VERSION, type ReplyRequest, type TranslatorOptions } from './translate/index.js';
export { createOtlpTraceHandler, OTLP_TRACES_PATH, type OtlpTraceHandlerOptions } from './sources/otlp/createOtlpTraceHandler.js';
export { TraceAssembler, type TraceAssemblerOptions } from './sources/otlp/TraceAssembler.js';
export { recordsFromOtlp, nanosToMillis, OTLP_LIMITS, type OtlpRecords } from './sources/otlp/recordsFromOtlp.js';
export { createDecisionRouter, DECISIONS_PATH, type DecisionRouterOptions } from './http/createDecisionRouter.js';
export { confirm, recommendedTimeoutSeconds, type ConfirmDecision, type ConfirmOptions, type Decision, type RiskLevel } from './agent/confirm.js';
export { clarify, type Clarification, type ClarifyOptions } from './agent/clarify.js';
export { handoff, type HandoffOptions } from './agent/handoff.js';
export { reportProgress, type ProgressOptions } from './agent/reportProgress.js';
export { cancelSession, type CancelOptions } from './agent/cancelSession.js';
export { ReplyRegistry, type PendingReply, type ResponseKind } from './agent/ReplyRegistry.js';
export { registerRuntime, unregisterRuntime, type AaepRuntime, type SpanSession } from './agent/runtime.js';
export {
  createAaepRouter,
  EVENTS_PATH,
  MANIFEST_PATH,
  MESSAGES_PATH,
  REPLIES_PATH,
  SESSIONS_PATH,
  type AaepRouter,
  type AaepRouterOptions,
  type UserInputHandler,
} from './http/createAaepRouter.js';
export { startAaepServer, DEFAULT_PORT, type AaepServer, type AaepServerOptions } from './http/startAaepServer.js';
export { JWKS_PATH, MANIFEST_JWS_PATH, SUBSCRIPTIONS_PATH, WEBSOCKET_PATH } from './http/producerManifest.js';
export { PHRASE_LANGUAGES, type PhraseLanguage } from './translate/messages/catalog.js';
export { HANDSHAKE_EVENT, SUBSCRIPTION_ID_HEADER } from './http/subscriptionEndpoints.js';
export { AAEP_SUBPROTOCOL, CLOSE_CODES, TOKEN_SUBPROTOCOL_PREFIX } from './ws/attachWebSocket.js';
export { sseFrame } from './http/sseFrame.js';
export { UserInputRejected } from './http/UserInputRejected.js';
export { sessionIdOfSpan } from './translate/ids.js';
export type {
  Attributes,
  AttributeValue,
  SpanEndedRecord,
  SpanEventRecord,
  SpanRecord,
  SpanStartedRecord,
  StatusCode,
} from './records.js';
export * from './protocol/index.js';
export * as semconv from './semconv/index.js';
export { classifySpan, type SpanRole } from './semconv/classifySpan.js';
export { redactText, redactValue, REDACTED } from './translate/redact/redact.js';
export { LIMIT_DEFAULTS, LIMIT_ENV, type LimitName, type LimitReached, type StoreUsage } from './limits.js';
