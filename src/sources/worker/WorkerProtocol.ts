import type { DiagMessage } from './workerThreads.js';
import type { RemoteDecision } from '../../agent/DecisionStore.js';
import type { EventHubOptions } from '../../hub/EventHubOptions.js';
import type { AaepServerOptions } from '../../http/startAaepServer.js';
import type { Producer } from '../../protocol/index.js';

/** What the worker serves: the server options that can cross a thread (no functions, no key objects). */
export type WorkerServerOptions = Omit<AaepServerOptions, 'hub' | 'replies' | 'producer' | 'onUserInput' | 'onLimit' | 'manifestSigningKey'> & {
  /** PEM or JWK JSON; else `AAEP_MANIFEST_SIGNING_KEY`. */
  readonly manifestSigningKey?: string;
};

export type WorkerHubOptions = Omit<EventHubOptions, 'catchUp' | 'producer' | 'replies'>;

/** The worker's `workerData`. */
export interface TranslatorWorkerData {
  readonly ring: SharedArrayBuffer;
  readonly producer: Producer;
  readonly language: string | undefined;
  readonly maxSessions: number | undefined;
  readonly maxSpansPerSession: number | undefined;
  readonly maxPendingReplies: number | undefined;
  readonly hubUrl: string | undefined;
  readonly hub: WorkerHubOptions;
  readonly server: WorkerServerOptions;
  /** The agent's `diag` level, so the worker does not send what would be dropped. */
  readonly diagLevel: number;
}

/** Where the worker's server listens, once it does. */
export interface WorkerServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly authenticated: boolean;
  readonly notice: string;
}

export type ToWorker = { readonly type: 'flush' | 'shutdown'; readonly id: number };

export type FromWorker =
  | { readonly type: 'ready'; readonly server: WorkerServer }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'decision'; readonly token: string; readonly decision: RemoteDecision }
  | DiagMessage;
