/**
 * Span lifecycle records: the one seam between span sources and the translator.
 * The in-process processor and the OTLP decoder both reduce spans to these three
 * shapes; the translator never sees an SDK span or a protobuf message.
 */

/** Attribute values as OpenTelemetry allows them (scalars and homogeneous arrays). */
export type AttributeValue =
  | string
  | number
  | boolean
  | ReadonlyArray<string | null | undefined>
  | ReadonlyArray<number | null | undefined>
  | ReadonlyArray<boolean | null | undefined>;

export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

/** OpenTelemetry span status code: 0 unset, 1 ok, 2 error. */
export type StatusCode = 0 | 1 | 2;

interface SpanIdentity {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
}

export interface SpanStartedRecord extends SpanIdentity {
  readonly kind: 'started';
  /** 16 lowercase hex characters, absent for a root span. */
  readonly parentSpanId?: string | undefined;
  /**
   * The session span this span belongs to, when the source knows it although the
   * parent may never be seen (a start signal under an unrecognised parent).
   */
  readonly sessionSpanId?: string | undefined;
  /** W3C trace flags (1 = sampled). */
  readonly traceFlags: number;
  readonly name: string;
  /** Milliseconds since the Unix epoch. */
  readonly startTime: number;
  readonly attributes: Attributes;
}

export interface SpanEventRecord extends SpanIdentity {
  readonly kind: 'event';
  readonly name: string;
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  readonly attributes: Attributes;
}

export interface SpanEndedRecord extends SpanIdentity {
  readonly kind: 'ended';
  readonly parentSpanId?: string | undefined;
  readonly traceFlags: number;
  readonly name: string;
  readonly startTime: number;
  readonly endTime: number;
  /** The span's final attributes (a superset of those known at start). */
  readonly attributes: Attributes;
  readonly status: { readonly code: StatusCode; readonly message?: string | undefined };
  /** Span events the source has not already delivered as `event` records, in order. */
  readonly events: readonly SpanEventRecord[];
}

export type SpanRecord = SpanStartedRecord | SpanEventRecord | SpanEndedRecord;
