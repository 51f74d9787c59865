import { diag } from '@opentelemetry/api';
import { Redis } from 'ioredis';

/**
 * An ioredis connection as the shared hub needs it: reconnects forever with
 * capped, jittered backoff; commands wait across a reconnect instead of failing
 * (and are resent if the connection dropped under them: our writes are
 * idempotent), and an outage is reported once, not once per retry.
 */
export function connectRedis(url: string, role: string): Redis {
  const redis = new Redis(url, {
    connectionName: `aaep-otel:${role}`,
    maxRetriesPerRequest: null,
    autoResendUnfulfilledCommands: true,
    // Commands issued in one tick (an export's events) go out in one write.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    diag.warn(`aaep-otel: Redis (${role}) unreachable, reconnecting: ${error.message}`);
  });
  redis.on('ready', () => {
    if (down) diag.info(`aaep-otel: Redis (${role}) reachable again`);
    down = false;
  });
  return redis;
}

/** Lets go of a connection: a polite QUIT when Redis answers (at most a second), else at once. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1_000).unref());
    await Promise.race([redis.quit().catch(() => undefined), timeout]);
  }
  redis.disconnect();
}
