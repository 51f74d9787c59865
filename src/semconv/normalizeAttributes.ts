import type { Attributes } from '../records.js';
import { AAEP_SPAN_KIND, GEN_AI_OPERATION_NAME } from './attributes.js';
import { FRAMEWORK_CONVENTIONS, type FrameworkConvention } from './frameworks.js';

/** The first framework convention a span follows, if any. */
export function frameworkOf(attributes: Attributes): FrameworkConvention | undefined {
  for (const convention of FRAMEWORK_CONVENTIONS) if (convention.applies(attributes)) return convention;
  return undefined;
}

/**
 * Adds the aaep.* attributes a framework's conventions imply, never overriding
 * what the span says itself (aaep.* and gen_ai.* win). Returns the same object
 * when nothing is added, which is the common, cheap case (no copy per span).
 */
export function normalizeAttributes(attributes: Attributes, spanName: string): Attributes {
  const convention = frameworkOf(attributes);
  if (convention === undefined) return attributes;
  const derived = convention.derive(attributes, spanName);
  const role = attributes[AAEP_SPAN_KIND] === undefined && attributes[GEN_AI_OPERATION_NAME] === undefined ? convention.role(attributes) : undefined;
  let adds = role !== undefined;
  for (const key in derived) {
    if (attributes[key] === undefined) {
      adds = true;
      break;
    }
  }
  if (!adds) return attributes;
  return { ...derived, ...(role !== undefined && { [AAEP_SPAN_KIND]: role }), ...attributes };
}
