import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** A console exporter that prints one short line per finished span instead of whole objects. */
export class LineSpanExporter implements SpanExporter {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      const ms = hrTimeToMilliseconds(span.duration).toFixed(0);
      const status = span.status.code === 2 ? `error: ${span.status.message ?? ''}` : 'ok';
      this.write(`[span] ${span.spanContext().traceId.slice(0, 8)} ${span.name} ${ms} ms ${status}`);
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
