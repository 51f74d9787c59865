/** A real traced agent turn that produces about 30 AAEP events a second, with a confirmation halfway. */
import type { Tracer } from '@opentelemetry/api';
import { setTimeout as sleep } from 'node:timers/promises';
import { confirm, type ConfirmDecision } from '../../src/index.js';

export interface BusyTurn {
  readonly done: Promise<ConfirmDecision>;
}

/**
 * `seconds` of work before and after asking to send an email: sentences streamed as
 * output chunks (one a tick, ticks of 1/30 s); halfway through, the output ends and a
 * lookup tool runs (tool.invoked, tool.completed and state changes between).
 */
export function busyTurn(tracer: Tracer, seconds = 1.5): BusyTurn {
  const ticks = Math.round(seconds * 30);
  let sentence = 0;
  const flood = async () => {
    let llm = tracer.startSpan('chat model', { attributes: { 'gen_ai.operation.name': 'chat' } });
    for (let tick = 1; tick <= ticks; tick++) {
      llm.addEvent('aaep.output.chunk', { 'aaep.output.text': `Sentence ${++sentence} of a long answer. ` });
      if (tick === Math.ceil(ticks / 2)) {
        llm.end();
        tracer.startActiveSpan('lookup', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'lookup' } }, (tool) => tool.end());
        llm = tracer.startSpan('chat model', { attributes: { 'gen_ai.operation.name': 'chat' } });
      }
      await sleep(1000 / 30);
    }
    llm.end();
  };
  const done = tracer.startActiveSpan('turn', { attributes: { 'aaep.span.kind': 'session', 'aaep.session.request': 'Write it up and email Ada' } }, async (session) => {
    await flood();
    const decision = await tracer.startActiveSpan('send_email', { attributes: { 'aaep.span.kind': 'tool', 'aaep.tool.name': 'send_email', 'aaep.tool.requires_confirmation': true } }, async (tool) => {
      const d = await confirm(tool, { action: 'Send the write-up to Ada', consequence: 'Ada receives it right away.', riskLevel: 'medium' });
      tool.end();
      return d;
    });
    await flood();
    session.end();
    return decision;
  });
  return { done };
}
