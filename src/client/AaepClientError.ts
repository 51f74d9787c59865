/**
 * What went wrong, in words a person can act on:
 * `unauthorized` (401) and `forbidden` (403) mean the token; `not_found` (404) the URL;
 * `http` any other refusal; `network` no connection, or one that dropped or went silent;
 * `protocol` an answer that is not an AAEP event stream; `malformed_event` an event that
 * was skipped; `handler` an `onEvent` callback that threw; `rejected` a producer that
 * turned the subscription's capabilities down (subscription.rejected).
 */
export type AaepClientErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'http'
  | 'network'
  | 'protocol'
  | 'malformed_event'
  | 'handler'
  | 'rejected';

export class AaepClientError extends Error {
  override readonly name = 'AaepClientError';
  readonly code: AaepClientErrorCode;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(message: string, options: { code: AaepClientErrorCode; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = options.status;
  }

  /** Whether trying again may help: the connection, the server's health or its rate limit, not the request. */
  get retryable(): boolean {
    if (this.code === 'network') return true;
    const status = this.status ?? 0;
    return this.code === 'http' && (status >= 500 || status === 429 || status === 408);
  }

  /**
   * A connection that failed or dropped, e.g. `network('Cannot reach http://…', error)`.
   * Node's fetch says only "fetch failed" and puts the reason ("connect ECONNREFUSED …") in `cause`.
   */
  static network(what: string, error: unknown): AaepClientError {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new AaepClientError(`${what}: ${reason}`, { code: 'network', cause: error });
  }

  /** A non-2xx answer, with the server's own explanation when it sent one. */
  static async fromResponse(url: string, response: Response): Promise<AaepClientError> {
    const explanation = await response
      .json()
      .then((body: unknown) => {
        const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
        return typeof message === 'string' ? ` ${message}` : '';
      })
      .catch(() => '');
    const status = response.status;
    const what = `${status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
    if (status === 401) return new AaepClientError(`Authentication failed at ${url} (${what}).${explanation}`, { code: 'unauthorized', status });
    if (status === 403) return new AaepClientError(`Access denied at ${url} (${what}).${explanation}`, { code: 'forbidden', status });
    if (status === 404) return new AaepClientError(`No AAEP endpoint at ${url} (${what}).${explanation}`, { code: 'not_found', status });
    return new AaepClientError(`${url} answered ${what}.${explanation}`, { code: 'http', status });
  }
}
