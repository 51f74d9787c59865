/**
 * What an OTLP intake asks of the event store before and after it translates an
 * export: whether the store can take events now, and when what it was given is
 * stored. An export is acknowledged only after `stored()` resolves, so an
 * exporter retries (503 / UNAVAILABLE) anything a store outage could have lost.
 */
export interface IngestGate {
  /** False while the store is unreachable: turn exports away with a retryable status. */
  readonly available: boolean;
  /** Resolves once every event published so far is stored; rejects if that did not happen in time. */
  stored(): Promise<void>;
}
