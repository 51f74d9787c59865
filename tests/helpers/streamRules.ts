/**
 * The AAEP sequencing rules (spec chapter 4 §4.5, appendix A) as a checker: returns
 * every violation found in a stream, so a test can show them all at once.
 */
import { expectSpecValid } from './aaepSchemas.js';

type Wire = Record<string, unknown> & { type: string; session_id: string; event_id: string };

const TERMINAL = new Set([
  'aaep:agent.session.completed',
  'aaep:agent.session.errored',
  'aaep:agent.session.cancelled',
]);
const CRITICAL = new Set([
  'aaep:agent.session.errored',
  'aaep:agent.awaiting.confirmation',
  'aaep:agent.awaiting.clarification',
  'aaep:agent.handoff.requested',
]);

function codePoints(text: string): number {
  return [...text].length;
}

export function streamViolations(events: readonly Wire[], options: { requireTerminal?: boolean } = {}): string[] {
  const problems: string[] = [];
  const bySession = new Map<string, Wire[]>();
  const ids = new Set<string>();
  for (const event of events) {
    if (ids.has(event.event_id)) problems.push(`duplicate event_id ${event.event_id}`);
    ids.add(event.event_id);
    const list = bySession.get(event.session_id) ?? [];
    list.push(event);
    bySession.set(event.session_id, list);
  }
  for (const [sessionId, list] of bySession) {
    const say = (message: string) => problems.push(`${sessionId}: ${message}`);
    if (list[0]?.type !== 'aaep:agent.session.started') say(`first event is ${list[0]?.type}, not session.started`);
    let state = 'idle';
    let lastTime = '';
    let terminalSeen = false;
    const openCalls = new Map<string, string>();
    const completedOutputs = new Set<string>();
    const positions = new Map<string, number>();
    let confirmationsAnnounced = 0;
    list.forEach((event, index) => {
      if (event.sequence_number !== index) say(`event ${index} (${event.type}) has sequence_number ${String(event.sequence_number)}`);
      if (terminalSeen) say(`${event.type} after the terminal event`);
      const timestamp = String(event.timestamp);
      if (timestamp < lastTime) say(`timestamp goes backwards at ${index}: ${timestamp} < ${lastTime}`);
      lastTime = timestamp;
      if (CRITICAL.has(event.type) && event.urgency !== 'critical') say(`${event.type} is not critical`);
      if (index > 0 && event.type === 'aaep:agent.session.started') say('second session.started');
      switch (event.type) {
        case 'aaep:agent.state.changed':
          if (event.from_state !== state) say(`state chain broken: from ${String(event.from_state)} but state is ${state}`);
          state = String(event.to_state);
          break;
        case 'aaep:agent.tool.invoked': {
          const call = String(event.tool_call_id);
          if (openCalls.has(call)) say(`tool call ${call} invoked twice`);
          openCalls.set(call, String(event.tool));
          if (event.irreversible === true) {
            if (confirmationsAnnounced === 0) say(`irreversible tool ${String(event.tool)} invoked without a confirmation before it`);
            else confirmationsAnnounced--;
          }
          break;
        }
        case 'aaep:agent.tool.completed': {
          const call = String(event.tool_call_id);
          if (!openCalls.has(call)) say(`tool.completed for ${call} without tool.invoked`);
          else if (openCalls.get(call) !== event.tool) say(`tool.completed names ${String(event.tool)}, invoked ${openCalls.get(call)}`);
          openCalls.delete(call);
          break;
        }
        case 'aaep:agent.awaiting.confirmation':
          if (state !== 'awaiting_input') say('awaiting.confirmation while not in state awaiting_input');
          confirmationsAnnounced++;
          break;
        case 'aaep:agent.output.streaming': {
          const output = String(event.output_id);
          if (completedOutputs.has(output)) say(`chunk for ${output} after complete: true`);
          const expected = positions.get(output) ?? 0;
          if (event.position !== expected) say(`${output} position ${String(event.position)}, expected ${expected}`);
          positions.set(output, expected + codePoints(String(event.chunk)));
          if (event.complete === true) completedOutputs.add(output);
          break;
        }
        default:
          if (TERMINAL.has(event.type)) terminalSeen = true;
      }
    });
    for (const [call, tool] of openCalls) say(`tool ${tool} (${call}) never completed`);
    for (const output of positions.keys()) if (!completedOutputs.has(output)) say(`output ${output} has no complete: true chunk`);
    if ((options.requireTerminal ?? true) && !terminalSeen) say('no terminal event');
  }
  return problems;
}

/** Throws unless every event is schema-valid and every session's stream is legal. */
export function expectLegalStream(events: readonly unknown[], options?: { requireTerminal?: boolean }): void {
  expectSpecValid(events);
  const problems = streamViolations(events as Wire[], options);
  if (problems.length > 0) throw new Error(`Illegal AAEP stream:\n  ${problems.join('\n  ')}`);
}
