import type { Attributes } from '../records.js';
import { conventionalRole, type SpanRole } from './conventionalRole.js';
import { FRAMEWORK_CONVENTIONS } from './frameworks.js';

export type { SpanRole } from './conventionalRole.js';

/**
 * Classifies a span by its attributes: explicit `aaep.span.kind` first, then the
 * OpenTelemetry GenAI `gen_ai.operation.name`, then framework conventions.
 * Returns undefined for spans nobody recognises; those produce no events.
 */
export function classifySpan(attributes: Attributes): SpanRole | undefined {
  const role = conventionalRole(attributes);
  if (role !== undefined) return role;
  for (const convention of FRAMEWORK_CONVENTIONS) {
    if (convention.applies(attributes)) return convention.role(attributes);
  }
  return undefined;
}
