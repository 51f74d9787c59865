import type { Attributes, AttributeValue } from '../records.js';
import type { SpanRole } from './classifySpan.js';
import { genAiConvention } from './frameworks/genAi.js';
import { openInferenceConvention } from './frameworks/openInference.js';
import { openLlmetryConvention } from './frameworks/openLlmetry.js';
import { vercelAiSdkConvention } from './frameworks/vercelAiSdk.js';

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

/**
 * Conventions in the order they are tried; the first that applies is the only
 * one used for a span (one classification per span). GenAI comes first: a span
 * with `gen_ai.operation.name` is classified by it whatever else it carries.
 * Each convention derives for the role classifySpan gives the span (aaep.span.kind,
 * then the GenAI operation, then its own), so derived attributes never describe a
 * role the span does not have. See docs/frameworks.md.
 */
export const FRAMEWORK_CONVENTIONS: readonly FrameworkConvention[] = [
  genAiConvention,
  vercelAiSdkConvention,
  openInferenceConvention,
  openLlmetryConvention,
];

export { genAiConvention, openInferenceConvention, openLlmetryConvention, vercelAiSdkConvention };
export { describeToolCall } from './frameworks/describeToolCall.js';
