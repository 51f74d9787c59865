/**
 * `npm start`: a scripted travel assistant traced with the real OpenTelemetry
 * NodeSDK. Its spans go to the console (or to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set) and, through AaepSpanProcessor, to an AAEP stream served over SSE.
 *
 *   --port N        AAEP server port (default AAEP_PORT or 4319; 0 picks a free one)
 *   --interval MS   time between the starts of sessions (default 4000)
 *   --sessions N    stop after N sessions (default: run until Ctrl-C)
 *   --quiet-spans   do not print span lines
 */
import { parseArgs } from 'node:util';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AaepSpanProcessor, startAaepServer } from '../../src/index.js';
import { LineSpanExporter } from './LineSpanExporter.js';
import { SCENARIOS, runScenario } from './scriptedAgent.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    interval: { type: 'string', default: '4000' },
    sessions: { type: 'string' },
    'quiet-spans': { type: 'boolean', default: false },
  },
});

const agentName = 'Demo travel assistant';
const otlpConfigured = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
const exporter: SpanExporter = otlpConfigured
  ? new OTLPTraceExporter()
  : new LineSpanExporter(values['quiet-spans'] ? () => {} : undefined);

const aaep = new AaepSpanProcessor({ agentId: 'demo-travel-assistant', agentName });
const sdk = new NodeSDK({
  serviceName: 'demo-travel-assistant',
  spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 }), aaep],
  instrumentations: [],
});
sdk.start();

let server: Awaited<ReturnType<typeof startAaepServer>>;
try {
  server = await startAaepServer({ hub: aaep.hub, ...(values.port !== undefined && { port: Number(values.port) }) });
} catch (error) {
  console.error(`Could not start the AAEP server: ${(error as Error).message}`);
  console.error('Another program may be using the port; choose one with --port or AAEP_PORT.');
  await sdk.shutdown();
  process.exit(1);
}

console.log(`aaep-otel demo: "${agentName}", a scripted agent traced with OpenTelemetry.`);
console.log(`AAEP events (SSE): ${server.url}/aaep/v1/events`);
console.log(`Watch them:        curl -N ${server.url}/aaep/v1/events`);
console.log(`Manifest:          ${server.url}/.well-known/aaep-manifest.json`);
console.log(server.notice);
console.log(otlpConfigured ? 'Spans also go to your OTLP endpoint.' : 'Spans also go to this console, one line each (set OTEL_EXPORTER_OTLP_ENDPOINT to send them to a collector).');
console.log('A new session starts every few seconds. Ctrl-C stops.');

const tracer = trace.getTracer('demo-travel-assistant');
const interval = Number(values.interval);
const limit = values.sessions === undefined ? Infinity : Number(values.sessions);
let stopping = false;

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  await sdk.shutdown();
  await server.close();
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

for (let n = 0; n < limit && !stopping; n++) {
  const started = Date.now();
  await runScenario(tracer, SCENARIOS[n % SCENARIOS.length]!, agentName);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, interval - (Date.now() - started))));
}
await stop();
