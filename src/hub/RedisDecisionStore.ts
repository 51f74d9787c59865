import { ROOT_CONTEXT, context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Redis } from 'ioredis';
import { DecisionStore, type RemoteDecision } from '../agent/DecisionStore.js';
import type { ReceivedReply } from '../protocol/index.js';
import { ReplyRegistry } from '../agent/ReplyRegistry.js';
import type { ReplyRequest } from '../translate/index.js';
import { closeRedis, connectRedis } from './connectRedis.js';
import { readEnvNumber } from '../env.js';
import { hubKeys } from './RedisHubBackend.js';

export interface RedisDecisionStoreOptions {
  readonly url: string;
  /** The connection the hub appends with, so a question is stored in order with its event. */
  readonly connection: Redis;
  readonly keyPrefix?: string;
  /** Decisions kept in this process for agents polling here. Default 10,000. */
  readonly capacity?: number;
  /** How long a decision stays fetchable in Redis. Else `AAEP_HUB_DECISION_SECONDS`, else 900 s. */
  readonly decisionSeconds?: number;
  /** How long a reply's answer waits for its claim to be decided. Else `AAEP_HUB_CLAIM_WAIT_MS`, else 2,000 ms. */
  readonly claimWaitMs?: number;
}

export const DEFAULT_CLAIM_WAIT_MS = 2_000;

/**
 * Claims a token for its first decision, atomically: the decision is stored only
 * if none was (SET NX), the question is removed so no later reply passes, and
 * every instance is told (PUBLISH) so agents polling anywhere get it.
 */
const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('DEL', KEYS[2])
  redis.call('PUBLISH', ARGV[3], ARGV[4])
  return 1
end
return 0`;

type ScriptedRedis = Redis & {
  aaepClaimDecision(decisionKey: string, questionKey: string, json: string, ttlMs: number, channel: string, token: string): Promise<number>;
};

/**
 * The decision store shared by receivers on one Redis. A question asked through
 * any instance is stored (until its deadline) with the rules its replies must
 * pass; a reply reaching any instance is checked by the same registry rules and
 * then claimed, first one wins; the decision reaches an agent polling any
 * instance. Single use and expiry therefore hold across instances.
 */
export class RedisDecisionStore extends DecisionStore {
  private readonly redis: ScriptedRedis;
  private readonly subscriber: Redis;
  private readonly keyPrefix: string;
  private readonly channel: string;
  private readonly decisionMs: number;
  private closing: Promise<void> | undefined;
  /** Claims in flight, by token (one per reply being answered; each leaves when decided), so a reply is answered only once its claim is. */
  private readonly claims = new Map<string, Promise<void>>();
  private readonly claimWaitMs: number;

  constructor(options: RedisDecisionStoreOptions) {
    super(options.capacity);
    this.redis = options.connection as ScriptedRedis;
    this.redis.defineCommand('aaepClaimDecision', { numberOfKeys: 2, lua: CLAIM });
    this.keyPrefix = hubKeys(options.keyPrefix).prefix;
    this.channel = `${this.keyPrefix}:decided`;
    this.decisionMs = (options.decisionSeconds ?? readEnvNumber('AAEP_HUB_DECISION_SECONDS') ?? 900) * 1000;
    this.claimWaitMs = Math.max(0, options.claimWaitMs ?? readEnvNumber('AAEP_HUB_CLAIM_WAIT_MS') ?? DEFAULT_CLAIM_WAIT_MS);
    this.subscriber = connectRedis(options.url, 'decisions');
    this.subscriber.on('message', (_channel: string, token: string) => void this.fetch(token));
    void this.subscriber.subscribe(this.channel).catch((error: unknown) => diag.error('aaep-otel: subscribing to shared decisions failed', error));
  }

  override track(registry: ReplyRegistry, request: ReplyRequest): void {
    super.track(registry, request);
    const ttlMs = Math.max(1, Math.ceil(request.issuedAt + request.timeoutSeconds * 1000 - Date.now()));
    this.ours(() => this.redis.set(this.questionKey(request.token), JSON.stringify(request), 'PX', ttlMs)).catch((error: unknown) =>
      diag.error('aaep-otel: storing a question in Redis failed; replies to it reach this instance only', error),
    );
  }

  /** Claims the token for this decision; only the first claim anywhere counts. */
  override settle(token: string, decision: RemoteDecision): void {
    const claim = this.ours(() => this.redis.aaepClaimDecision(this.decisionKey(token), this.questionKey(token), JSON.stringify(decision), this.decisionMs, this.channel, token)).then(
      (won) => {
        if (won === 1) super.settle(token, decision);
      },
      (error: unknown) => diag.error('aaep-otel: claiming a decision in Redis failed', error),
    );
    this.claims.set(token, claim);
    void claim.finally(() => {
      if (this.claims.get(token) === claim) this.claims.delete(token);
    });
  }

  /**
   * Resolves once a claim this instance is making for `token` is decided (at once when there
   * is none), or after `claimWaitMs`: a Redis that does not answer must not hold the reply.
   */
  claimed(token: string): Promise<void> {
    const claim = this.claims.get(token);
    if (claim === undefined) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.claimWaitMs);
      timer.unref();
    });
    return Promise.race([claim, waited]).finally(() => clearTimeout(timer));
  }

  override async wait(token: string, ms: number, signal?: AbortSignal): Promise<RemoteDecision | undefined> {
    const stored = await this.fetch(token);
    return stored ?? super.wait(token, ms, signal);
  }

  /**
   * A reply to a question this instance did not see asked: checked against the
   * stored question by the registry's own rules, at the time it arrived.
   */
  async submitShared(reply: ReceivedReply, now: number): Promise<boolean> {
    let request: ReplyRequest;
    try {
      const json = await this.ours(() => this.redis.get(this.questionKey(reply.reply_token)));
      if (json === null) return false;
      request = JSON.parse(json) as ReplyRequest;
    } catch (error) {
      diag.debug('aaep-otel: looking up a shared question failed', error);
      return false;
    }
    const once = new ReplyRegistry();
    super.track(once, request);
    return once.submit(reply, now);
  }

  close(): Promise<void> {
    this.closing ??= closeRedis(this.subscriber);
    return this.closing;
  }

  private async fetch(token: string): Promise<RemoteDecision | undefined> {
    try {
      const json = await this.ours(() => this.redis.get(this.decisionKey(token)));
      if (json === null) return undefined;
      const decision = JSON.parse(json) as RemoteDecision;
      super.settle(token, decision);
      return decision;
    } catch (error) {
      diag.debug('aaep-otel: fetching a shared decision failed', error);
      return undefined;
    }
  }

  private ours<T>(command: () => Promise<T>): Promise<T> {
    return context.with(suppressTracing(ROOT_CONTEXT), command);
  }

  private questionKey(token: string): string {
    return `${this.keyPrefix}:question:${token}`;
  }

  private decisionKey(token: string): string {
    return `${this.keyPrefix}:decision:${token}`;
  }
}
