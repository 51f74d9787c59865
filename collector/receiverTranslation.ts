import type { CatchUpSource } from '../src/hub/CatchUp.js';
import type { HubBackend } from '../src/hub/HubBackend.js';
import type { LimitReached } from '../src/limits.js';
import type { Producer } from '../src/protocol/index.js';
import type { SpanIntake } from '../src/sources/otlp/SpanIntake.js';
import { TraceAssembler } from '../src/sources/otlp/TraceAssembler.js';
import type { TranslationBounds, TranslationUsage } from '../src/sources/otlp/workers/TranslationProtocol.js';
import { TranslationWorkers } from '../src/sources/otlp/workers/TranslationWorkers.js';
import { Translator } from '../src/translate/index.js';
import type { ReplyRequest } from '../src/translate/TranslatorOptions.js';
import type { ReceiverConfig } from './receiverConfig.js';

/** How the receiver turns decoded exports into events: in its own thread, or in translation workers. */
export interface ReceiverTranslation extends SpanIntake {
  readonly usage: TranslationUsage;
  readonly catchUp: CatchUpSource;
  /** Heap and off-heap bytes of its workers (0 in the receiver's own thread, which the caller measures). */
  workerMemory(): Promise<number>;
  /** Resolves once it can translate (its workers loaded). */
  ready(): Promise<void>;
  /** Places the spans still held, ends the open sessions (cancelled, by system) and stops. */
  close(): Promise<void>;
}

export interface TranslationHooks {
  readonly producer: Producer;
  /** Where events go; asked per event, since the backend is made after the hub that needs the catch-up. */
  readonly backend: () => HubBackend;
  readonly onReplyRequested: (request: ReplyRequest) => void;
  readonly onSessionClosed: (sessionId: string) => void;
  readonly onViolation: (message: string) => void;
  readonly onLimit: (reached: LimitReached) => void;
}

/** `config.workers` translation workers, or with 0 the translator and assembler in this thread. */
export function startTranslation(config: ReceiverConfig, hooks: TranslationHooks): ReceiverTranslation {
  const bounds: TranslationBounds = {
    maxSessions: config.maxSessions,
    maxSpansPerSession: config.maxSpansPerSession,
    quietMs: config.quietMs,
    maxHeldSpansPerTrace: config.maxHeldSpansPerTrace,
    maxHeldSpans: config.maxHeldSpans,
  };
  if (config.workers > 0) {
    const workers = new TranslationWorkers({ ...hooks, ...bounds, workers: config.workers, publish: (event, owner) => hooks.backend().publishPrepared(event, owner) });
    return {
      ingest: (records) => workers.ingest(records),
      ingestProtobuf: (bytes) => workers.ingestProtobuf(bytes),
      get usage() {
        return workers.usage;
      },
      catchUp: (sessionId, maxSessions, hears) => workers.catchUp(sessionId, maxSessions, hears),
      ready: () => workers.ready(),
      workerMemory: () => workers.memory(),
      close: () => workers.close(),
    };
  }
  const translator = new Translator({ ...hooks, ...bounds, emit: (event, owner) => hooks.backend().publish(event, owner) });
  const assembler = new TraceAssembler(translator, { ...bounds, onLimit: hooks.onLimit });
  return {
    ingest: (records) => assembler.ingest(records),
    get usage() {
      return { ...translator.usage, heldSpans: assembler.usage };
    },
    catchUp: (sessionId, maxSessions, hears) => translator.catchUp(sessionId, maxSessions, Date.now(), hears),
    ready: () => Promise.resolve(),
    workerMemory: () => Promise.resolve(0),
    close: () => {
      assembler.flushAll();
      assembler.close();
      translator.cancelAll(Date.now(), 'producer_shutdown');
      return Promise.resolve();
    },
  };
}
