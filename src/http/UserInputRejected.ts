/**
 * What an `onUserInput` handler throws to turn a message away without failing:
 * the agent is at its limit of sessions (or otherwise busy) and the sender should
 * try again later. The router answers `429 Too Many Requests` with `Retry-After`
 * and `{"error":"busy","message":…,"retry_after_seconds":…}`; anything else a
 * handler throws is a 500.
 */
export class UserInputRejected extends Error {
  override readonly name = 'UserInputRejected';
  /** Whole seconds the sender should wait before trying again (at least 1). */
  readonly retryAfterSeconds: number;

  /** `message` is sent to the client: say why in words a person can act on, nothing internal. */
  constructor(message: string, options: { readonly retryAfterSeconds?: number } = {}) {
    super(message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds ?? 5));
  }
}
