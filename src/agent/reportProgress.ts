import type { Span } from '@opentelemetry/api';
import {
  AAEP_EVENT_PROGRESS,
  AAEP_PROGRESS_DESCRIPTION,
  AAEP_PROGRESS_PERCENT,
  AAEP_PROGRESS_STEP,
  AAEP_PROGRESS_TOTAL_STEPS,
} from '../semconv/attributes.js';

export interface ProgressOptions {
  /** Share done, 0 to 1. */
  readonly fraction?: number;
  readonly step?: number;
  readonly totalSteps?: number;
  /** What is happening now, e.g. "Comparing prices". */
  readonly summary?: string;
}

/** Reports progress of a long task (spec §4.2.2); emit it at meaningful steps, not every tick. */
export function reportProgress(span: Span, options: ProgressOptions): void {
  span.addEvent(AAEP_EVENT_PROGRESS, {
    ...(options.fraction !== undefined && { [AAEP_PROGRESS_PERCENT]: Math.min(100, Math.max(0, options.fraction * 100)) }),
    ...(options.step !== undefined && { [AAEP_PROGRESS_STEP]: options.step }),
    ...(options.totalSteps !== undefined && { [AAEP_PROGRESS_TOTAL_STEPS]: options.totalSteps }),
    ...(options.summary !== undefined && { [AAEP_PROGRESS_DESCRIPTION]: options.summary }),
  });
}
