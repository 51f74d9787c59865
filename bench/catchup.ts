/**
 * Catch-up under load: 60,000 open sessions (with long requests, and questions waiting in
 * some), 10 concurrent resumes whose Last-Event-ID is unknown, each read to the end of its
 * catch-up, while another request on the same server is timed every 10 ms.
 * Targets: every catch-up within half the subscriber bound; that request answered within 100 ms.
 * Run: npx tsx bench/catchup.ts [-- --sessions 60000 --resumes 10]
 */
import http, { type IncomingMessage } from 'node:http';
import { parseArgs } from 'node:util';
import { POSITION_EVENT } from '../src/hub/CatchUp.js';
import { EventHub } from '../src/hub/EventHub.js';
import { HUB_DEFAULTS } from '../src/hub/EventHubOptions.js';
import { startAaepServer } from '../src/http/startAaepServer.js';
import { Translator } from '../src/translate/index.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '60000' }, resumes: { type: 'string', default: '10' } } });
const SESSIONS = Number(values.sessions);
const RESUMES = Number(values.resumes);
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const STARTED = '"type":"aaep:agent.session.started"';

let translator: Translator | undefined;
const hub = new EventHub({ catchUp: (id, max) => translator!.catchUp(id, max) });
translator = new Translator({ producer: { agent_id: 'bench' }, emit: (event) => hub.publish(event) });
const t0 = Date.now();
const request = 'Please look into this and tell me what you find. '.repeat(12);
for (let i = 0; i < SESSIONS; i++) {
  const spanId = (2 * i + 1).toString(16).padStart(16, '0');
  const base = { traceId: TRACE, traceFlags: 1, startTime: t0 } as const;
  translator.handle({ ...base, kind: 'started', spanId, name: 'turn', attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': request } });
  if (i % 100 === 0) {
    const tool = (2 * i + 2).toString(16).padStart(16, '0');
    translator.handle({ ...base, kind: 'started', spanId: tool, parentSpanId: spanId, name: 'pay', attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'pay' } });
    translator.handle({ kind: 'event', traceId: TRACE, spanId: tool, name: 'aaep.confirmation.requested', time: t0, attributes: { 'aaep.confirmation.reply_token': `rpl_b${i}`, 'aaep.confirmation.action': 'Pay the bill', 'aaep.confirmation.timeout_seconds': 600 } });
  }
}
const server = await startAaepServer({ hub, port: 0 });

let worst = 0;
let probes = 0;
let probing = true;
const probe = (async () => {
  while (probing) {
    const start = performance.now();
    await (await fetch(`${server.url}/.well-known/aaep-manifest.json`)).arrayBuffer();
    worst = Math.max(worst, performance.now() - start);
    probes++;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
})();

// The same request with nothing else going on, once the heap has settled after the set-up.
await new Promise((resolve) => setTimeout(resolve, 1_000));
worst = 0;
await new Promise((resolve) => setTimeout(resolve, 1_000));
const idleWorst = worst;
worst = 0;
const started = performance.now();
const catchUps = await Promise.all(
  Array.from({ length: RESUMES }, () =>
    new Promise<{ bytes: number; sessions: number }>((resolve, reject) => {
      let sessions = 0;
      // Readers do as little as they can: they share this process, and their work would count as the server's.
      http.get(`${server.url}/aaep/v1/events`, { headers: { 'Last-Event-ID': 'evt_agedout' } }, (res: IncomingMessage) => {
        let bytes = 0;
        let text = '';
        res.setEncoding('latin1');
        res.on('data', (chunk: string) => {
          bytes += chunk.length;
          text = text.slice(-64) + chunk;
          sessions += text.split(STARTED).length - 1 - (text.slice(0, 64).split(STARTED).length - 1);
          if (text.includes(`event: ${POSITION_EVENT}`)) {
            res.destroy();
            resolve({ bytes, sessions });
          }
        });
        res.on('error', reject);
      });
    }),
  ),
);
const elapsed = performance.now() - started;
probing = false;
await probe;
await server.close();

const bound = HUB_DEFAULTS.subscriberQueueBytes / 2;
const largest = Math.max(...catchUps.map((c) => c.bytes));
console.log(
  `${SESSIONS} open sessions, ${RESUMES} resumes: ${catchUps[0]!.sessions} sessions and ${(largest / 1024 / 1024).toFixed(2)} MiB per catch-up, ` +
    `all read in ${Math.round(elapsed)} ms; ${probes} probe requests in all, slowest ${worst.toFixed(1)} ms during the catch-ups, ${idleWorst.toFixed(1)} ms before`,
);
report([
  { metric: `catch-up bytes per resume (${SESSIONS} sessions)`, value: Math.round(largest / 1024), unit: 'KiB', target: `<= ${bound / 1024} KiB`, met: largest <= bound },
  { metric: `slowest request during ${RESUMES} catch-ups`, value: Math.round(worst), unit: 'ms', target: '<= 100 ms', met: worst <= 100 },
]);
