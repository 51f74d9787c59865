import type { Attributes } from '../records.js';
import {
  AAEP_SPAN_KIND,
  GEN_AI_LLM_OPERATIONS,
  GEN_AI_OPERATION_NAME,
  GEN_AI_SESSION_OPERATIONS,
  GEN_AI_TOOL_OPERATIONS,
} from './attributes.js';

/** What a span is, as far as AAEP cares. */
export type SpanRole = 'session' | 'llm' | 'tool';

const ROLES: ReadonlySet<string> = new Set<SpanRole>(['session', 'llm', 'tool']);

/**
 * The role the two conventions that outrank every framework give a span:
 * explicit `aaep.span.kind` first, then a GenAI `gen_ai.operation.name` the
 * translator knows. Undefined when neither says.
 */
export function conventionalRole(attributes: Attributes): SpanRole | undefined {
  const explicit = attributes[AAEP_SPAN_KIND];
  if (typeof explicit === 'string' && ROLES.has(explicit)) return explicit as SpanRole;
  const operation = attributes[GEN_AI_OPERATION_NAME];
  if (typeof operation !== 'string') return undefined;
  if (GEN_AI_TOOL_OPERATIONS.has(operation)) return 'tool';
  if (GEN_AI_LLM_OPERATIONS.has(operation)) return 'llm';
  if (GEN_AI_SESSION_OPERATIONS.has(operation)) return 'session';
  return undefined;
}
