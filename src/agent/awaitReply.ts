import { randomBytes } from 'node:crypto';
import type { Attributes, Span } from '@opentelemetry/api';
import { AAEP_EVENT_PROGRESS, AAEP_PROGRESS_DESCRIPTION, AAEP_PROGRESS_PERCENT, AAEP_PROGRESS_SECONDS_LEFT } from '../semconv/attributes.js';
import type { PendingReply } from './ReplyRegistry.js';
import type { ReceivedReply } from '../protocol/index.js';
import type { AaepRuntime, SpanSession } from './runtime.js';

export interface ReplyWait<R> {
  readonly span: Span;
  readonly runtime: AaepRuntime;
  readonly session: SpanSession;
  readonly timeoutSeconds: number;
  readonly signal?: AbortSignal | undefined;
  /** Words for the countdown announcements, e.g. "to confirm: send the email". */
  readonly waitingFor: string;
  readonly requestEvent: string;
  readonly resolvedEvent: string;
  requestAttributes(token: string): Attributes;
  resolvedAttributes(result: R): Attributes;
  pending(base: Omit<PendingReply, 'kind' | 'allowedDecisions' | 'acceptedKinds' | 'choices'>): PendingReply;
  onReply(reply: ReceivedReply): R;
  onTimeout(): R;
  onCancel(): R;
}

/** The countdown reminders of spec §6.4.3: when half and when 90% of the time has passed. */
const REMINDERS = [0.5, 0.9] as const;

/**
 * Asks through a span event and waits for the answer: registers a fresh single-use
 * token before the event exists (so even an instant reply finds it), reminds at
 * half and at a tenth of the time left, and settles exactly once — first valid
 * reply, timeout, abort or session cancellation — recording the outcome on the span.
 */
export function awaitReply<R>(wait: ReplyWait<R>): Promise<R> {
  const { span, runtime, session } = wait;
  const token = `rpl_${randomBytes(16).toString('hex')}`;
  const issuedAt = Date.now();
  const timeoutMs = wait.timeoutSeconds * 1000;
  return new Promise<R>((resolve) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (result: R) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      wait.signal?.removeEventListener('abort', onAbort);
      runtime.replies.withdraw(token);
      span.addEvent(wait.resolvedEvent, wait.resolvedAttributes(result));
      resolve(result);
    };
    const onAbort = () => finish(wait.onCancel());
    runtime.replies.register(
      token,
      wait.pending({
        sessionId: session.sessionId,
        issuedAt,
        timeoutSeconds: wait.timeoutSeconds,
        settle: (reply) => finish(wait.onReply(reply)),
        cancel: () => finish(wait.onCancel()),
        expire: () => finish(wait.onTimeout()),
      }),
    );
    span.addEvent(wait.requestEvent, wait.requestAttributes(token), new Date(issuedAt));
    if (wait.signal?.aborted) {
      onAbort();
      return;
    }
    wait.signal?.addEventListener('abort', onAbort, { once: true });
    // Ref'd on purpose: the agent is awaiting this answer, like any timer in its own code.
    timers.push(setTimeout(() => finish(wait.onTimeout()), timeoutMs));
    for (const fraction of REMINDERS) {
      const reminder = setTimeout(() => {
        const secondsLeft = Math.max(1, Math.round((timeoutMs * (1 - fraction)) / 1000));
        span.addEvent(AAEP_EVENT_PROGRESS, {
          [AAEP_PROGRESS_PERCENT]: fraction * 100,
          [AAEP_PROGRESS_DESCRIPTION]: `${secondsLeft} ${secondsLeft === 1 ? 'second' : 'seconds'} left ${wait.waitingFor}`,
          // So the translator can say the reminder in each listener's language.
          [AAEP_PROGRESS_SECONDS_LEFT]: secondsLeft,
        });
      }, timeoutMs * fraction);
      reminder.unref();
      timers.push(reminder);
    }
  });
}
