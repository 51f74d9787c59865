import { EVENT_KIND } from './ids.js';
import type { AgentState, SpanInfo } from './SessionState.js';
import type { TranslateContext } from './TranslateContext.js';
import { phrase, type Text } from './messages/Phrase.js';

/** The session state machine's one transition: a `state.changed` when the state really changes. */
export function changeState(ctx: TranslateContext, info: SpanInfo, to: AgentState, time: number, activity?: Text, summary?: Text): void {
  const session = info.session;
  if (session.state === to) return;
  const from = session.state;
  session.state = to;
  session.lastState = ctx.publish(session, info, EVENT_KIND.state, time, summary === undefined ? 'background' : 'normal', {
    type: 'aaep:agent.state.changed',
    from_state: from,
    to_state: to,
    summary_terse: phrase.stateTerse(to),
    summary_normal: summary ?? phrase.stateNormal(to),
    ...(activity !== undefined && { summary_detailed: phrase.stateActivity(to, activity) }),
  });
}

