import { diag } from '@opentelemetry/api';

/** Reads `AAEP_*` settings once, warning (not throwing) about values that make no sense. */

export function readEnvString(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function readEnvNumber(name: string): number | undefined {
  const raw = readEnvString(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    diag.warn(`aaep-otel: ignoring ${name}=${JSON.stringify(raw)}: expected a non-negative number.`);
    return undefined;
  }
  return value;
}

export function readEnvBoolean(name: string): boolean | undefined {
  const raw = readEnvString(name);
  if (raw === undefined) return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  diag.warn(`aaep-otel: ignoring ${name}=${JSON.stringify(raw)}: expected true or false.`);
  return undefined;
}
