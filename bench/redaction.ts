/**
 * Cost of redaction per event: redactText on one event's text, for ordinary agent text and for
 * text that holds a secret (the test corpus), in µs per call (median of rounds).
 * Run: npx tsx bench/redaction.ts [-- --rounds 7]
 */
import { parseArgs } from 'node:util';
import { redactText } from '../src/translate/redact/redact.js';
import { SECRET_CORPUS } from '../tests/helpers/secretCorpus.js';
import { report } from './report.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const ROUNDS = Number(values.rounds);

/** What agents say most of the time: sentences, tool summaries, a URL, some code, other languages. */
const CLEAN = [
  'The weather in Oslo is cold today, around minus four degrees with light snow.',
  'Flights from Oslo to Bergen start at 1200 NOK; the earliest leaves at 06:45.',
  'Using search flights, from Oslo, to Bergen, on 2026-12-01.',
  'I found 3 results. The cheapest is with Norwegian, departing at 07:10.',
  'Reading https://example.com/docs/getting-started?lang=en#install to check the steps.',
  'Ran npm test: 412 passed, 0 failed, in 38 seconds.',
  'const total = items.reduce((sum, item) => sum + item.price, 0);',
  'Commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed the key handling in the parser.',
  '明日の東京の天気は晴れ、最高気温は十二度です。',
  'Want me to book the 07:10 flight and send the ticket to your email address?',
];
const SECRETS = SECRET_CORPUS.map((shape) => shape.inText);

function perCall(texts: readonly string[]): number {
  const calls = Math.max(2000, Math.round(200_000 / texts.length)) * texts.length;
  let sink = 0;
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) sink += redactText(texts[i % texts.length] as string).length;
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / calls);
  }
  if (sink === 0) throw new Error('nothing redacted');
  return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)] as number;
}

perCall(CLEAN); // warm up
const clean = perCall(CLEAN);
const secret = perCall(SECRETS);
console.log(`  clean text   ${clean.toFixed(2)} µs per event (${CLEAN.length} texts, ~${Math.round(CLEAN.join('').length / CLEAN.length)} chars)`);
console.log(`  with secrets ${secret.toFixed(2)} µs per event (${SECRETS.length} shapes, ~${Math.round(SECRETS.join('').length / SECRETS.length)} chars)`);
report([
  { metric: 'redaction, ordinary text', value: Number(clean.toFixed(2)), unit: 'µs/event', target: '(cost)', met: undefined },
  { metric: 'redaction, text with a secret', value: Number(secret.toFixed(2)), unit: 'µs/event', target: '(cost)', met: undefined },
]);
