/**
 * Validates subscription handshake messages against the vendored JSON Schemas
 * (schemas/handshake/subscription.*.schema.json) with ajv 2020, as aaepSchemas.ts does for events.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { schemasDir, type JsonSchema } from './aaepSchemas.js';

function cjsDefault<T>(mod: { default: T }): T {
  return mod.default ?? (mod as unknown as T);
}
const Ajv2020 = cjsDefault(Ajv2020Module);
const addFormats = cjsDefault(addFormatsModule);

export const HANDSHAKE_TYPES = ['subscription.request', 'subscription.accepted', 'subscription.rejected'] as const;

export const handshakeSchemas = Object.fromEntries(
  HANDSHAKE_TYPES.map((type) => [type, JSON.parse(readFileSync(path.join(schemasDir, 'handshake', `${type}.schema.json`), 'utf8')) as JsonSchema]),
) as Record<(typeof HANDSHAKE_TYPES)[number], JsonSchema>;

const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
addFormats(ajv);
const validators = Object.fromEntries(HANDSHAKE_TYPES.map((type) => [type, ajv.compile(handshakeSchemas[type])]));

/** ajv errors of a handshake message against the schema its `type` names; [] when valid. */
export function validateHandshakeAgainstSpec(message: unknown): string[] {
  const type = (message as { type?: unknown } | null)?.type;
  const validate = typeof type === 'string' ? validators[type] : undefined;
  if (validate === undefined) return [`unknown handshake type ${JSON.stringify(type)}`];
  return validate(message) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`);
}
