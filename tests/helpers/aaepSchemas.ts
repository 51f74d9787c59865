/**
 * Loads the normative AAEP JSON Schemas (2020-12) from the spec folder and validates wire
 * objects against them with ajv. Tests use this as the ground truth for the wire format.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// Node's ESM loader hands over module.exports of these CJS packages, while their typings
// describe `export default`; both packages also set `.default`, which covers either case.
function cjsDefault<T>(mod: { default: T }): T {
  return mod.default ?? (mod as unknown as T);
}
const Ajv2020 = cjsDefault(Ajv2020Module);
const addFormats = cjsDefault(addFormatsModule);

export type JsonSchema = Record<string, unknown> & { $id: string; examples?: unknown[] };

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The repository's own copy of the AAEP spec's schemas (vendor/aaep-spec, CC-BY-4.0, see its
 * NOTICE, with the SHA-256 sums recorded when it was copied). A clone needs nothing beside it.
 */
export const vendoredSpecDir = path.join(repoRoot, 'vendor/aaep-spec');

export const schemasDir = path.join(vendoredSpecDir, 'schemas');

if (!existsSync(path.join(schemasDir, 'envelope.schema.json')) || !existsSync(path.join(schemasDir, 'core'))) {
  throw new Error(`The vendored AAEP schemas are missing from ${schemasDir}: the wire-format checks cannot run.`);
}

function readSchema(relativePath: string): JsonSchema {
  const file = path.join(schemasDir, relativePath);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
  if (typeof schema.$id !== 'string') throw new Error(`AAEP schema ${file} has no $id`);
  return schema;
}

const CORE_SUFFIX = '.schema.json';

/** The envelope, the 12 core event schemas (keyed by local name, e.g. 'agent.session.started') and the two reply schemas. */
export const specSchemas = {
  envelope: readSchema('envelope.schema.json'),
  core: Object.fromEntries(
    readdirSync(path.join(schemasDir, 'core'))
      .filter((name) => name.endsWith(CORE_SUFFIX))
      .sort()
      .map((name) => [name.slice(0, -CORE_SUFFIX.length), readSchema(path.join('core', name))] as const),
  ) as Readonly<Record<string, JsonSchema>>,
  replies: {
    'confirmation.reply': readSchema('handshake/confirmation.reply.schema.json'),
    'clarification.reply': readSchema('handshake/clarification.reply.schema.json'),
  } as Readonly<Record<string, JsonSchema>>,
};

// Lenient on style checks only: the spec's if/then subschema omits `type`, and its
// @context prefixItems is an open tuple (the extra URIs are intended).
const ajv = new Ajv2020({ allErrors: true, strictTypes: false, strictTuples: false });
addFormats(ajv);
for (const schema of [specSchemas.envelope, ...Object.values(specSchemas.core), ...Object.values(specSchemas.replies)]) {
  ajv.addSchema(schema);
}

function validatorFor(schema: JsonSchema): ValidateFunction {
  const validate = ajv.getSchema(schema.$id);
  if (validate === undefined) throw new Error(`AAEP schema ${schema.$id} did not compile`);
  return validate;
}

function formatError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const params = Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
  return `${where} ${error.message ?? error.keyword}${params}`;
}

function run(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map(formatError);
}

function typeOf(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as { type?: unknown }).type
    : undefined;
}

/** Validates an event against its core schema (chosen from `type`); returns ajv error strings, [] when valid. */
export function validateAgainstSpec(event: unknown): string[] {
  const type = typeOf(event);
  if (typeof type !== 'string') return ['(root) event is not an object with a string `type`'];
  const schema = type.startsWith('aaep:') ? specSchemas.core[type.slice('aaep:'.length)] : undefined;
  if (schema === undefined) return [`/type unknown AAEP core event type ${JSON.stringify(type)}`];
  return run(validatorFor(schema), event);
}

/** Validates an event against the envelope schema only. */
export function validateEnvelopeAgainstSpec(event: unknown): string[] {
  return run(validatorFor(specSchemas.envelope), event);
}

/** Validates a confirmation.reply or clarification.reply message; returns ajv error strings, [] when valid. */
export function validateReplyAgainstSpec(reply: unknown): string[] {
  const type = typeOf(reply);
  const schema = typeof type === 'string' ? specSchemas.replies[type] : undefined;
  if (schema === undefined) return [`/type unknown AAEP reply type ${JSON.stringify(type)}`];
  return run(validatorFor(schema), reply);
}

/** Throws an Error listing every event that fails its spec schema, with all of its errors. */
export function expectSpecValid(events: readonly unknown[]): void {
  const failures: string[] = [];
  events.forEach((event, index) => {
    const errors = validateAgainstSpec(event);
    if (errors.length === 0) return;
    const type = typeOf(event);
    const id = event !== null && typeof event === 'object' ? (event as { event_id?: unknown }).event_id : undefined;
    failures.push(
      `  #${index} ${String(type)} ${id === undefined ? '' : String(id)}\n${errors.map((e) => `      - ${e}`).join('\n')}`,
    );
  });
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} of ${events.length} event(s) violate the AAEP spec schemas (${schemasDir}):\n${failures.join('\n')}`,
    );
  }
}
