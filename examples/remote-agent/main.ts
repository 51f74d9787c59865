/**
 * An agent in its own process whose spans reach aaep-otel only through OTLP:
 * run the receiver (`npm run receiver`), then `npm run example:remote`. It needs no
 * AaepSpanProcessor: spans go out with the ordinary OTLP exporter, and
 * AaepSignalProcessor adds the live start signals and brings the answers to
 * `confirm()` back from the receiver. Nothing in the agent code changes.
 *
 *   AAEP_RECEIVER_URL   the receiver (default http://127.0.0.1:4320)
 *   AAEP_INGEST_TOKEN   the receiver's ingest token, if it has one (else AAEP_TOKEN):
 *                       sent with the spans and with the requests for decisions
 *   --wait-for-go       the weather tool waits for a line "go" on stdin (used by the tests)
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AaepSignalProcessor, confirm } from '../../src/index.js';

const { values } = parseArgs({ options: { 'wait-for-go': { type: 'boolean', default: false } } });
const receiverUrl = (process.env.AAEP_RECEIVER_URL ?? 'http://127.0.0.1:4320').replace(/\/$/, '');
const ingestToken = process.env.AAEP_INGEST_TOKEN || process.env.AAEP_TOKEN;
const headers = ingestToken ? { Authorization: `Bearer ${ingestToken}` } : undefined;
const exporter = () => new OTLPTraceExporter({ url: `${receiverUrl}/v1/traces`, ...(headers && { headers }) });

const sdk = new NodeSDK({
  serviceName: 'remote-agent',
  spanProcessors: [
    new BatchSpanProcessor(exporter(), { scheduledDelayMillis: 100 }),
    new AaepSignalProcessor({ exporter: exporter(), receiverUrl }),
  ],
  instrumentations: [],
});
sdk.start();

const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
const tracer = trace.getTracer('remote-agent');

await tracer.startActiveSpan('invoke_agent remote', {
  attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Remote assistant', 'aaep.session.request': 'Check the weather, then pay the ski rental' },
}, async (session) => {
  await tracer.startActiveSpan('execute_tool get_weather', {
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.tool.call.arguments': '{"city":"Lillehammer"}' },
  }, async (tool) => {
    console.log('tool get_weather started');
    if (values['wait-for-go']) await nextLine();
    tool.setAttribute('gen_ai.tool.call.result', '{"snow_cm":40}');
    tool.end();
  });
  await tracer.startActiveSpan('execute_tool transfer_money', {
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer_money', 'aaep.tool.irreversible': true, 'aaep.tool.risk_level': 'high' },
  }, async (tool) => {
    const { decision, by } = await confirm(tool, {
      action: 'Pay 900 NOK for the ski rental',
      consequence: 'The money leaves your account now and cannot be recalled.',
      timeoutSeconds: 60,
    });
    console.log(`decision: ${decision} by ${by}`);
    tool.end();
  });
  session.end();
});

await sdk.shutdown();
lines.close();
console.log('done');
