import type { AaepEvent } from '../protocol/index.js';

/** A short word opening each line, so a listener knows what kind of news follows before it is read out. */
const KIND_WORDS: Record<string, string> = {
  'aaep:agent.session.started': 'Started',
  'aaep:agent.session.completed': 'Done',
  'aaep:agent.session.errored': 'Error',
  'aaep:agent.session.cancelled': 'Cancelled',
  'aaep:agent.state.changed': 'Status',
  'aaep:agent.progress.updated': 'Progress',
  'aaep:agent.tool.invoked': 'Tool',
  'aaep:agent.tool.completed': 'Tool',
  'aaep:agent.output.streaming': 'Agent',
  'aaep:agent.awaiting.confirmation': 'Confirm',
  'aaep:agent.awaiting.clarification': 'Question',
  'aaep:agent.handoff.requested': 'Handoff',
};

/**
 * One plain line for an announcement: "Tool: Using search flights.", with
 * "Urgent: " in front of critical events, and the session's label in front of all
 * while several sessions are open ("Report task: Done."). Undefined when there is
 * nothing to say (an empty closing output chunk).
 */
export function formatLine(event: AaepEvent, text: string, label?: string): string | undefined {
  const words = text.replace(/\s+/g, ' ').trim();
  if (words === '') return undefined;
  const kind = KIND_WORDS[event.type] ?? 'Event';
  // Summaries that already open with the word ("Question: …", "Done.", "Confirmation needed: …") are
  // not prefixed twice; the agent's own words always are.
  const opensWithKind = event.type !== 'aaep:agent.output.streaming' && words.toLowerCase().startsWith(kind.toLowerCase());
  const line = opensWithKind ? words : `${kind}: ${words}`;
  const urgent = event.urgency === 'critical' ? `Urgent: ${line}` : line;
  return label === undefined ? urgent : `${label}: ${urgent}`;
}
