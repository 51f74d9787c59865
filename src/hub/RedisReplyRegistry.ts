import type { ReceivedReply } from '../protocol/index.js';
import { ReplyRegistry, type ReplyRegistryOptions } from '../agent/ReplyRegistry.js';
import type { RedisDecisionStore } from './RedisDecisionStore.js';

/**
 * A receiver's reply registry when receivers share Redis: a reply to a token
 * asked here is checked here; any other goes to the shared store, which checks
 * it against the question another instance stored. Either way the decision is
 * claimed in Redis, so the first valid reply anywhere wins. Always answers
 * false at once for a token not asked here (the endpoint says 204 regardless).
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
}
