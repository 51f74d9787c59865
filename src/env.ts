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
