import { EVENT_KIND } from '../ids.js';
import { sentence } from '../describe.js';
import type { AgentState, SpanInfo } from './SessionState.js';
import type { TranslateContext } from './TranslateContext.js';

const STATE_PHRASES: Record<AgentState, { terse: string; normal: string }> = {
  idle: { terse: 'Idle.', normal: 'Waiting.' },
  thinking: { terse: 'Thinking.', normal: 'Thinking about your request.' },
  calling_tool: { terse: 'Using a tool.', normal: 'Using a tool.' },
  writing_output: { terse: 'Answering.', normal: 'Writing the answer.' },
  awaiting_input: { terse: 'Waiting for you.', normal: 'Waiting for your answer.' },
  deciding: { terse: 'Deciding.', normal: 'Deciding what to do next.' },
  handing_off: { terse: 'Handing off.', normal: 'Handing over to someone else.' },
};

/** The session state machine's one transition: a `state.changed` when the state really changes. */
export function changeState(ctx: TranslateContext, info: SpanInfo, to: AgentState, time: number, activity?: string, summary?: string): void {
  const session = info.session;
  if (session.state === to) return;
  const from = session.state;
  session.state = to;
  const phrase = STATE_PHRASES[to];
  session.lastState = ctx.publish(session, info, EVENT_KIND.state, time, summary === undefined ? 'background' : 'normal', {
    type: 'aaep:agent.state.changed',
    from_state: from,
    to_state: to,
    summary_terse: phrase.terse,
    summary_normal: summary ?? phrase.normal,
    ...(activity !== undefined && { summary_detailed: sentence(`${phrase.normal.replace(/\.$/, '')}: ${activity}`) }),
  });
}

