import type { Exception } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import type { Span, TimedEvent } from '@opentelemetry/sdk-trace-base';

/**
 * Span processors are not told about `span.addEvent`, so this wraps that one span
 * instance's `addEvent` and calls `added` with each event the span records from
 * now on (an event dropped by the span's limits is not reported). The span
 * behaves exactly as before; a failing callback goes to the global error handler.
 * Returns false when the span has no `addEvent` to wrap.
 */
export function observeSpanEvents(span: Span, added: (event: TimedEvent) => void): boolean {
  const original = span.addEvent;
  if (typeof original !== 'function') return false;
  // Assigned, not named in a declaration: tools that keep function names (tsx, esbuild) would rename it on every span.
  span.addEvent = function (this: Span, ...args: Parameters<Span['addEvent']>) {
    const before = span.events[span.events.length - 1];
    const result = original.apply(span, args);
    const event = span.events[span.events.length - 1];
    if (event !== undefined && event !== before) {
      try {
        added(event);
      } catch (error) {
        globalErrorHandler(error as Exception);
      }
    }
    return result;
  };
  return true;
}
