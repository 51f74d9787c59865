/** Tool definitions seen on model spans, remembered by tool name. */
import type { AttributeValue } from '../../records.js';
import { MAX_PARSE_CHARS, isRecord, parseJsonAttribute } from './jsonAttribute.js';

const MAX_TOOLS = 512;
const toolDescriptions = new Map<string, string>();

function definitionOf(item: unknown): { name: string; description?: string } | undefined {
  let value = item;
  if (typeof value === 'string') {
    // One small JSON document per tool (`ai.prompt.tools`): parsed directly, not memoised.
    try {
      value = value.length <= MAX_PARSE_CHARS ? JSON.parse(value) : undefined;
    } catch {
      return undefined;
    }
  }
  if (!isRecord(value)) return undefined;
  // OpenAI { type: 'function', function: {...} }, Bedrock { toolSpec: {...} }, or flat.
  const inner = isRecord(value.function) ? value.function : isRecord(value.toolSpec) ? value.toolSpec : value;
  if (typeof inner.name !== 'string' || inner.name === '') return undefined;
  return typeof inner.description === 'string' && inner.description.trim() !== ''
    ? { name: inner.name, description: inner.description }
    : { name: inner.name };
}

/** Tool definitions from a GenAI `gen_ai.tool.definitions` value or a framework's list (JSON or string[]). */
export function toolDefinitions(value: AttributeValue | undefined): Array<{ name: string; description?: string }> {
  const list: unknown = typeof value === 'string' ? parseJsonAttribute(value) : value;
  if (!Array.isArray(list)) return [];
  const out: Array<{ name: string; description?: string }> = [];
  for (const item of list) {
    // Google style wraps them: [{ functionDeclarations: [...] }].
    if (isRecord(item) && Array.isArray(item.functionDeclarations)) {
      for (const inner of item.functionDeclarations) {
        const definition = definitionOf(inner);
        if (definition !== undefined) out.push(definition);
      }
      continue;
    }
    const definition = definitionOf(item);
    if (definition !== undefined) out.push(definition);
  }
  return out;
}

/**
 * Remembers the descriptions of the tools a model was offered, so the tool span
 * that follows (which seldom carries one) can be announced in words. Bounded;
 * the most recent definition of a name wins.
 */
export function rememberTools(definitions: ReadonlyArray<{ name: string; description?: string }>): void {
  for (const { name, description } of definitions) {
    if (description === undefined || toolDescriptions.get(name) === description) continue;
    toolDescriptions.delete(name);
    if (toolDescriptions.size >= MAX_TOOLS) {
      const oldest = toolDescriptions.keys().next().value;
      if (oldest !== undefined) toolDescriptions.delete(oldest);
    }
    toolDescriptions.set(name, description);
  }
}

/** The description last seen for a tool of this name, if any. */
export function rememberedToolDescription(name: string | undefined): string | undefined {
  return name === undefined ? undefined : toolDescriptions.get(name);
}
