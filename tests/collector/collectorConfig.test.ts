import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { AAEP_SIGNAL } from '../../src/semconv/attributes.js';

const componentTable = z.record(z.string(), z.unknown()).nullish().transform((table) => table ?? {});

const CollectorConfig = z.object({
  receivers: componentTable,
  processors: componentTable,
  exporters: componentTable,
  connectors: componentTable,
  service: z.object({
    pipelines: z.record(
      z.string(),
      z.object({
        receivers: z.array(z.string()),
        processors: z.array(z.string()).nullish().transform((list) => list ?? []),
        exporters: z.array(z.string()),
      }),
    ),
  }),
});

const OtlpReceiver = z.object({
  protocols: z.object({ grpc: z.unknown(), http: z.unknown() }).partial(),
});

const FilterProcessor = z.object({
  error_mode: z.string().optional(),
  // The `traces: span:` form every OTTL-era release accepts…
  traces: z.object({ span: z.array(z.string()).optional() }).optional(),
  // …and the context-inferred form documented from collector-contrib v0.146.0.
  trace_conditions: z.array(z.unknown()).optional(),
});

const OtlpHttpExporter = z.object({
  endpoint: z.string(),
  encoding: z.string().optional(),
  compression: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

const BatchProcessor = z.object({ timeout: z.string().optional() }).nullish();

const configText = readFileSync(new URL('../../otel-collector.yaml', import.meta.url), 'utf8');
const config = CollectorConfig.parse(parse(configText));
const { pipelines } = config.service;

/** `filter/drop-aaep-signals` is a component of type `filter`. */
function typeOf(componentId: string): string {
  return componentId.split('/')[0] ?? componentId;
}

/** `otlphttp` became `otlp_http` in Collector v0.144.0; both name the OTLP/HTTP exporter. */
function isOtlpHttpExporter(componentId: string): boolean {
  return ['otlphttp', 'otlp_http'].includes(typeOf(componentId));
}

function pipeline(name: string) {
  const found = pipelines[name];
  if (found === undefined) throw new Error(`otel-collector.yaml has no pipeline ${name}`);
  return found;
}

/** The span conditions of a filter processor, written as in the span context. */
function spanConditions(processorId: string): string[] {
  if (typeOf(processorId) !== 'filter') return [];
  const filter = FilterProcessor.parse(config.processors[processorId] ?? {});
  const inferred = (filter.trace_conditions ?? [])
    .filter((condition): condition is string => typeof condition === 'string')
    .filter((condition) => condition.startsWith('span.'))
    .map((condition) => condition.slice('span.'.length));
  return [...(filter.traces?.span ?? []), ...inferred];
}

const dropsSignalSpans = (processorId: string): boolean =>
  spanConditions(processorId).some((condition) => condition.includes(`attributes["${AAEP_SIGNAL}"]`));

function aaepExporter() {
  const [id, ...others] = pipeline('traces/aaep').exporters;
  expect(others).toEqual([]);
  if (id === undefined) throw new Error('traces/aaep has no exporter');
  expect(isOtlpHttpExporter(id), `${id} is an OTLP/HTTP exporter`).toBe(true);
  return OtlpHttpExporter.parse(config.exporters[id]);
}

function milliseconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(duration);
  if (match === null) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

describe('the OpenTelemetry Collector configuration (otel-collector.yaml)', () => {
  it('has the backend and aaep trace pipelines', () => {
    expect(Object.keys(pipelines).sort()).toEqual(['traces/aaep', 'traces/backend']);
  });

  it('defines every receiver, processor and exporter a pipeline names', () => {
    for (const [name, { receivers, processors, exporters }] of Object.entries(pipelines)) {
      for (const id of receivers) expect(Object.keys(config.receivers), `${name} receiver ${id}`).toContain(id);
      for (const id of processors) expect(Object.keys(config.processors), `${name} processor ${id}`).toContain(id);
      for (const id of exporters) expect(Object.keys(config.exporters), `${name} exporter ${id}`).toContain(id);
    }
  });

  it('uses every component it defines in some pipeline', () => {
    const used = new Set(
      Object.values(pipelines).flatMap(({ receivers, processors, exporters }) => [...receivers, ...processors, ...exporters]),
    );
    const defined = [
      ...Object.keys(config.receivers),
      ...Object.keys(config.processors),
      ...Object.keys(config.exporters),
      ...Object.keys(config.connectors),
    ];
    expect(defined.filter((id) => !used.has(id))).toEqual([]);
  });

  it('receives OTLP over both gRPC and HTTP', () => {
    const otlp = OtlpReceiver.parse(config.receivers['otlp']);
    expect(Object.keys(otlp.protocols).sort()).toEqual(['grpc', 'http']);
  });

  it('feeds both pipelines from the same receivers, so the aaep pipeline sees every span', () => {
    expect(pipeline('traces/aaep').receivers).toEqual(pipeline('traces/backend').receivers);
  });

  it(`drops spans that carry ${AAEP_SIGNAL} on the way to the tracing backend`, () => {
    const filters = pipeline('traces/backend').processors.filter(dropsSignalSpans);
    expect(filters).toHaveLength(1);
    const [filterId] = filters as [string];
    expect(spanConditions(filterId)).toContain(`attributes["${AAEP_SIGNAL}"] != nil`);
    expect(FilterProcessor.parse(config.processors[filterId]).error_mode).toBe('ignore');
  });

  it(`names ${AAEP_SIGNAL} in the filter condition`, () => {
    const conditions = Object.keys(config.processors).flatMap(spanConditions);
    expect(conditions.some((condition) => condition.includes(AAEP_SIGNAL))).toBe(true);
  });

  it(`keeps spans that carry ${AAEP_SIGNAL} in the aaep pipeline`, () => {
    expect(pipeline('traces/aaep').processors.filter(dropsSignalSpans)).toEqual([]);
    expect(pipeline('traces/aaep').processors.filter((id) => typeOf(id) === 'filter')).toEqual([]);
  });

  it('sends the aaep pipeline to the receiver on port 4320 as gzipped protobuf', () => {
    const exporter = aaepExporter();
    expect(new URL(exporter.endpoint).port).toBe('4320');
    expect(exporter.encoding).toBe('proto');
    expect(exporter.compression).toBe('gzip');
  });

  it('sends the receiver its ingest token, taken from AAEP_INGEST_TOKEN in the environment', () => {
    expect(aaepExporter().headers).toEqual({ Authorization: 'Bearer ${env:AAEP_INGEST_TOKEN}' });
  });

  it('writes no token into the file nor its scaling-out variant: every Authorization header comes from AAEP_INGEST_TOKEN', () => {
    const loadBalancing = readFileSync(new URL('../../deploy/otel-collector-loadbalancing.yaml', import.meta.url), 'utf8');
    const headers = [configText, loadBalancing].flatMap((text) => [...text.matchAll(/^[\s#]*Authorization:\s*(.*)$/gim)].map((match) => match[1]!.trim()));
    expect(headers.length).toBeGreaterThanOrEqual(2);
    for (const value of headers) expect(value).toBe('"Bearer ${env:AAEP_INGEST_TOKEN}"');
  });

  it('flushes the aaep pipeline within a second so announcements stay live', () => {
    const batches = pipeline('traces/aaep').processors.filter((id) => typeOf(id) === 'batch');
    expect(batches).toHaveLength(1);
    const timeout = BatchProcessor.parse(config.processors[batches[0] as string])?.timeout ?? '200ms';
    expect(milliseconds(timeout)).toBeLessThanOrEqual(1000);
  });

  it('sends the backend pipeline to the tracing backend, not to the aaep receiver', () => {
    const { exporters } = pipeline('traces/backend');
    expect(exporters).toHaveLength(1);
    expect(exporters).not.toEqual(pipeline('traces/aaep').exporters);
  });
});
