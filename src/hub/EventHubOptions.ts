import { readEnvNumber } from '../env.js';
import type { CatchUpSource } from './CatchUp.js';
import type { Producer } from '../protocol/index.js';
import type { ReplyRegistry } from '../agent/ReplyRegistry.js';

export interface EventHubOptions {
  /** Events kept for resume. Default 10,000. */
  readonly retentionEvents?: number;
  /** Bytes of framed events kept for resume (at least 1 MiB). Default 16 MiB. */
  readonly retentionBytes?: number;
  /** Events a subscriber may lag behind before it is disconnected. Default 2,000. */
  readonly subscriberQueueEvents?: number;
  /** Bytes a subscriber may lag behind before it is disconnected. Default 4 MiB. */
  readonly subscriberQueueBytes?: number;
  /** Subscribers connected at once; transports turn more away (503). Else `AAEP_MAX_SUBSCRIBERS`, else 1,000. */
  readonly maxSubscribers?: number;
  /** Where open sessions stand, for a subscriber that joins mid-session or whose resume point is gone (spec §8.7, B.1.5). */
  readonly catchUp?: CatchUpSource;
  /** Sessions in one catch-up, at most. Else `AAEP_CATCHUP_MAX_SESSIONS`, else 1,000. */
  readonly catchUpMaxSessions?: number;
  /** Who produces the events, for the manifest. */
  readonly producer?: Producer;
  /** Where replies sent to this hub's endpoints go. */
  readonly replies?: ReplyRegistry;
}

export const HUB_DEFAULTS = {
  retentionEvents: 10_000,
  retentionBytes: 16 * 1024 * 1024,
  subscriberQueueEvents: 2_000,
  subscriberQueueBytes: 4 * 1024 * 1024,
  catchUpMaxSessions: 1_000,
} as const;

/** The hub options a processor reads from its environment, for its own options to override. */
export function hubOptionsFromEnv(): Pick<EventHubOptions, 'retentionEvents' | 'retentionBytes' | 'maxSubscribers'> {
  return {
    retentionEvents: readEnvNumber('AAEP_RETENTION_EVENTS'),
    retentionBytes: readEnvNumber('AAEP_RETENTION_BYTES'),
    maxSubscribers: readEnvNumber('AAEP_MAX_SUBSCRIBERS'),
  };
}
