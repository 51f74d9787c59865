import type { ReceivedReply } from '../protocol/index.js';
import { ReplyRegistry, type ReplyRegistryOptions } from '../agent/ReplyRegistry.js';
import type { RedisDecisionStore } from './RedisDecisionStore.js';

/**
 * A receiver's reply registry when receivers share Redis: a reply to a token
 * asked here is checked here; any other goes to the shared store, which checks
 * it against the question another instance stored. Either way the decision is
 * claimed in Redis, so the first valid reply anywhere wins. `submit` answers
 * false at once for a token not asked here; `submitSettled` waits for the claim.
 */
export class RedisReplyRegistry extends ReplyRegistry {
  constructor(private readonly decisions: RedisDecisionStore, options: ReplyRegistryOptions = {}) {
    super(options);
  }

  override submit(reply: ReceivedReply, now = Date.now()): boolean {
    if (this.has(reply.reply_token)) return super.submit(reply, now);
    void this.decisions.submitShared(reply, now);
    return false;
  }

  /** Resolves once the reply's claim in Redis, here or through the shared question, is decided. */
  override async submitSettled(reply: ReceivedReply, now = Date.now()): Promise<boolean> {
    const honoured = this.has(reply.reply_token) ? super.submit(reply, now) : await this.decisions.submitShared(reply, now);
    await this.decisions.claimed(reply.reply_token);
    return honoured;
  }
}
