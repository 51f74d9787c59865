import type { Attributes, AttributeValue } from '../records.js';
import type { SpanRole } from './classifySpan.js';

/**
 * A popular instrumentation's span conventions, mapped onto aaep.* so the
 * translator reads one vocabulary (DESIGN.md: aaep.* first, then GenAI, then
 * these).
 */
export interface FrameworkConvention {
  readonly name: string;
  /** Cheap test: does this span follow the convention at all? */
  applies(attributes: Attributes): boolean;
  /** What the span is under this convention, if anything AAEP cares about. */
  role(attributes: Attributes): SpanRole | undefined;
  /** aaep.* attributes implied by the convention (only keys absent from the span are used). */
  derive(attributes: Attributes, spanName: string): Record<string, AttributeValue>;
}

/** Conventions in the order they are tried. */
export const FRAMEWORK_CONVENTIONS: readonly FrameworkConvention[] = [];
