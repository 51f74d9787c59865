import { ROOT_CONTEXT, context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ReceivedReplySchema } from '../protocol/index.js';
import { warnLimit } from '../limits.js';
import { ReplyRegistry, type PendingReply } from './ReplyRegistry.js';

export interface RemoteReplyOptions {
  /** The receiver's base URL, e.g. http://aaep-otel-receiver:4320 */
  readonly receiverUrl: string | undefined;
  readonly token: string | undefined;
}

const LONG_POLL_SECONDS = 20;
const MAX_BACKOFF_MS = 15_000;

/**
 * The reply registry of an agent whose questions are answered at a receiver in
 * another process: each outstanding token is long-polled at the receiver's
 * decision endpoint, and what comes back goes through the same local checks
 * (token, deadline, allowed decision) as a reply over HTTP would.
 */
export class RemoteReplyRegistry extends ReplyRegistry {
  private readonly polls = new Map<string, AbortController>();
  private warnedNoReceiver = false;

  constructor(private readonly options: RemoteReplyOptions) {
    super({ onLimit: warnLimit });
  }

  override register(token: string, pending: PendingReply, now?: number): boolean {
    if (!super.register(token, pending, now)) return false;
    if (this.options.receiverUrl === undefined) {
      if (!this.warnedNoReceiver) {
        diag.warn('aaep-otel: AAEP_RECEIVER_URL is not set, so nobody can answer confirmations; their default decisions apply.');
        this.warnedNoReceiver = true;
      }
      return true;
    }
    const controller = new AbortController();
    this.polls.set(token, controller);
    // Our own requests must not appear in the application's traces.
    void context.with(suppressTracing(ROOT_CONTEXT), () => this.poll(token, controller.signal));
    return true;
  }

  override withdraw(token: string): void {
    super.withdraw(token);
    this.polls.get(token)?.abort();
    this.polls.delete(token);
  }

  private async poll(token: string, signal: AbortSignal): Promise<void> {
    const url = `${this.options.receiverUrl!.replace(/\/$/, '')}/aaep/v1/decisions/${token}?wait=${LONG_POLL_SECONDS}`;
    const headers: Record<string, string> = this.options.token === undefined ? {} : { Authorization: `Bearer ${this.options.token}` };
    let failures = 0;
    while (!signal.aborted && this.has(token)) {
      try {
        const response = await fetch(url, { headers, signal });
        if (response.status === 200) {
          const body = (await response.json()) as { reply?: unknown; cancelled?: unknown; expired?: unknown };
          if (body.cancelled === true) {
            this.cancel(token);
            return;
          }
          if (body.expired === true) {
            this.expire(token);
            return;
          }
          const reply = ReceivedReplySchema.safeParse(body.reply);
          if (reply.success) this.submit(reply.data);
          return;
        }
        await response.body?.cancel();
        if (response.status === 204) {
          failures = 0;
          continue;
        }
        failures++;
        if (response.status === 401) diag.warn('aaep-otel: the receiver refused our token (AAEP_INGEST_TOKEN, else AAEP_TOKEN) when fetching a decision.');
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        diag.debug('aaep-otel: fetching a decision failed; retrying', error);
      }
      // Exponential backoff with jitter, so many agents do not retry in step.
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        timer.unref();
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
    }
  }
}
