/**
 * The AAEP sequencing rules (spec chapter 4 §4.5, appendix A) as a checker: returns
 * every violation found in a stream, so a test can show them all at once.
 *
 * A stream may begin with a catch-up (`catchUp`: its first n events), what a
 * subscriber that joins mid-session is re-sent. What is legal for a session heard
 * first in a catch-up:
 * - its catch-up events are its `session.started` first (sequence_number 0), then
 *   only `state.changed` (at most one), `tool.invoked`, `awaiting.confirmation` and
 *   `awaiting.clarification`, with strictly increasing sequence numbers: a gap is
 *   events it missed, so the state chain is not checked across it and an
 *   irreversible tool already running needs no confirmation on this stream;
 * - its first live event may skip sequence numbers past the catch-up (events it
 *   missed after the last re-sent one), every later one is the previous plus one;
 * - live events follow every rule from the state the catch-up left: the chain
 *   continues from the re-sent `state.changed`, `tool.completed` needs a re-sent or
 *   live `tool.invoked`, one terminal event. An output first heard live may begin
 *   past position 0 (it was being written when the subscriber joined); from its
 *   first chunk on, positions are contiguous.
 * A session whose first event is live must start with `session.started` as usual.
 */
import { expectSpecValid } from './aaepSchemas.js';

type Wire = Record<string, unknown> & { type: string; session_id: string; event_id: string };

const TERMINAL = new Set([
  'aaep:agent.session.completed',
  'aaep:agent.session.errored',
  'aaep:agent.session.cancelled',
]);
const RESENT = new Set([
  'aaep:agent.session.started',
  'aaep:agent.state.changed',
  'aaep:agent.tool.invoked',
  'aaep:agent.awaiting.confirmation',
  'aaep:agent.awaiting.clarification',
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

export interface StreamRuleOptions {
  readonly requireTerminal?: boolean;
  /** How many events at the start of the stream are a catch-up. Default 0. */
  readonly catchUp?: number;
}

export function streamViolations(events: readonly Wire[], options: StreamRuleOptions = {}): string[] {
  const problems: string[] = [];
  const bySession = new Map<string, Wire[]>();
  const resent = new Set<Wire>(events.slice(0, options.catchUp ?? 0));
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
    const caughtUp = list[0] !== undefined && resent.has(list[0]);
    /** Sequence number of the previous event, and whether events were missed just before this one. */
    let previous = -1;
    let gap = false;
    let heardLive = false;
    let stateChanges = 0;
    let state = 'idle';
    let lastTime = '';
    let terminalSeen = false;
    const openCalls = new Map<string, string>();
    const completedOutputs = new Set<string>();
    const positions = new Map<string, number>();
    let confirmationsAnnounced = 0;
    list.forEach((event, index) => {
      const live = !resent.has(event);
      const sequence = typeof event.sequence_number === 'number' ? event.sequence_number : NaN;
      if (!caughtUp) {
        if (sequence !== index) say(`event ${index} (${event.type}) has sequence_number ${String(event.sequence_number)}`);
      } else if (!live) {
        if (heardLive) say(`re-sent ${event.type} after live events`);
        if (!RESENT.has(event.type)) say(`${event.type} in a catch-up`);
        if (event.type === 'aaep:agent.state.changed' && ++stateChanges > 1) say('more than one state.changed in a catch-up');
        if (!(sequence > previous)) say(`re-sent ${event.type} has sequence_number ${String(event.sequence_number)} after ${previous}`);
        gap = sequence > previous + 1;
      } else {
        // Only the first live event may skip what was missed after the catch-up.
        if (heardLive ? sequence !== previous + 1 : !(sequence > previous)) {
          say(`live ${event.type} has sequence_number ${String(event.sequence_number)} after ${previous}`);
        }
        gap = false;
        heardLive = true;
      }
      previous = sequence;
      if (terminalSeen) say(`${event.type} after the terminal event`);
      const timestamp = String(event.timestamp);
      if (timestamp < lastTime) say(`timestamp goes backwards at ${index}: ${timestamp} < ${lastTime}`);
      lastTime = timestamp;
      if (CRITICAL.has(event.type) && event.urgency !== 'critical') say(`${event.type} is not critical`);
      if (index > 0 && event.type === 'aaep:agent.session.started') say('second session.started');
      switch (event.type) {
        case 'aaep:agent.state.changed':
          if (!gap && event.from_state !== state) say(`state chain broken: from ${String(event.from_state)} but state is ${state}`);
          state = String(event.to_state);
          break;
        case 'aaep:agent.tool.invoked': {
          const call = String(event.tool_call_id);
          if (openCalls.has(call)) say(`tool call ${call} invoked twice`);
          openCalls.set(call, String(event.tool));
          // One already running when the subscriber joined was confirmed before it could hear.
          if (event.irreversible === true && live) {
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
          if (live && state !== 'awaiting_input') say('awaiting.confirmation while not in state awaiting_input');
          confirmationsAnnounced++;
          break;
        case 'aaep:agent.output.streaming': {
          const output = String(event.output_id);
          if (completedOutputs.has(output)) say(`chunk for ${output} after complete: true`);
          const expected = positions.get(output) ?? (caughtUp && live ? Number(event.position) : 0);
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
export function expectLegalStream(events: readonly unknown[], options?: StreamRuleOptions): void {
  expectSpecValid(events);
  const problems = streamViolations(events as Wire[], options);
  if (problems.length > 0) throw new Error(`Illegal AAEP stream:\n  ${problems.join('\n  ')}`);
}
