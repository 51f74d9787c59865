/**
 * `npm start`: the reference agent, traced with the real OpenTelemetry NodeSDK.
 * Spans go to the console (or to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set) and,
 * through AaepSpanProcessor, to an AAEP stream served over SSE. Talk to it with
 *   curl -X POST -H 'Content-Type: application/json' -d '{"kind":"user_input","text":"What is the weather in Oslo?"}' <url>/aaep/v1/messages
 * Until the first message arrives it runs a sample request every few seconds. Each
 * message starts its own session at once; options: see parseAgentArgs.ts (--help).
 */
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AaepSpanProcessor, startAaepServer } from '../../src/index.js';
import { LineSpanExporter } from './LineSpanExporter.js';
import { ReferenceAgent } from './ReferenceAgent.js';
import { USAGE, parseAgentArgs } from './parseAgentArgs.js';
import { stopOnSignals } from '../runExample.js';

const parsed = parseAgentArgs(process.argv.slice(2), process.env);
if (parsed.kind === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if (parsed.kind === 'error') {
  console.error(`npm start: ${parsed.message}\n\n${USAGE}`);
  process.exit(2);
}
const args = parsed.args;

/** Requests that need no answer from the user, so the stream keeps flowing on its own. */
const SAMPLES = [
  'What is the weather in Oslo tomorrow?',
  'Search for flights from Bergen to Oslo',
  'What is AAEP?',
  'Generate a quarterly report',
  'Check the weather on Mars',
  'Please store my api_key=sk-proj-demo0123456789abcdefghij',
];

const agentName = 'Reference assistant';
const otlpConfigured = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
const exporter: SpanExporter = otlpConfigured
  ? new OTLPTraceExporter()
  : new LineSpanExporter(args.quietSpans ? () => {} : undefined);

const aaep = new AaepSpanProcessor({ agentId: 'reference-assistant', agentName });
const sdk = new NodeSDK({
  serviceName: 'reference-assistant',
  spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 }), aaep],
  instrumentations: [],
});
sdk.start();

const agent = new ReferenceAgent(trace.getTracer('reference-assistant'), { agentName, maxSessions: args.maxSessions });
let auto = args.auto;

let server: Awaited<ReturnType<typeof startAaepServer>>;
try {
  server = await startAaepServer({
    hub: aaep.hub,
    ...(args.port !== undefined && { port: args.port }),
    // Starts the session and answers with its id at once; at the cap, start()
    // throws UserInputRejected and the sender gets 429 with Retry-After.
    onUserInput: (text, from) => {
      const { sessionId } = agent.start(text, from.principal);
      // A person is driving now: no more sample requests between theirs.
      auto = false;
      return sessionId;
    },
  });
} catch (error) {
  console.error(`Could not start the AAEP server: ${(error as Error).message}`);
  console.error('Another program may be using the port; choose one with --port or AAEP_PORT.');
  await sdk.shutdown();
  process.exit(1);
}

console.log(`aaep-otel reference agent: "${agentName}", traced with OpenTelemetry.`);
console.log(`AAEP events (SSE): ${server.url}/aaep/v1/events`);
console.log(`Watch them:        curl -N ${server.url}/aaep/v1/events`);
console.log(`Accessible page:   ${server.url}/aaep/ui`);
console.log(`Talk to it:        curl -X POST -H 'Content-Type: application/json' -d '{"kind":"user_input","text":"Send an email to Ada saying hi"}' ${server.url}/aaep/v1/messages`);
console.log(`Answer it:         npx tsx src/cli/main.ts tail ${server.url}  (asks "Allow? (y/n)"), or POST ${server.url}/aaep/v1/replies  (README: "Try it: two commands")`);
console.log(server.notice);
console.log(otlpConfigured ? 'Spans also go to your OTLP endpoint.' : 'Spans also go to this console, one line each (set OTEL_EXPORTER_OTLP_ENDPOINT to send them to a collector).');
console.log(`Sessions run side by side, at most ${agent.maxSessions} at once (--max-sessions, AAEP_MAX_SESSIONS); more get 429.`);
console.log(auto ? 'Until you send a message, a sample request runs every few seconds. Ctrl-C stops.' : 'Waiting for your messages. Ctrl-C stops.');

const stopper = stopOnSignals(sdk, server);

const interval = args.intervalMs;
const limit = args.samples ?? Infinity;
for (let n = 0; n < limit && auto && !stopper.stopping; n++) {
  const started = Date.now();
  await agent.start(SAMPLES[n % SAMPLES.length]!).done;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, interval - (Date.now() - started))));
}
if (args.samples !== undefined && !stopper.stopping) {
  await agent.idle();
  await stopper.stop();
}
