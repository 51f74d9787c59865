import type { Attributes } from '../records.js';
import {
  AAEP_SESSION_EXPECTED_DURATION_MS,
  AAEP_SESSION_REQUEST,
  AAEP_SESSION_REQUESTED_BY,
  AAEP_SESSION_SUMMARY,
  AAEP_SESSION_TOOLS,
  GEN_AI_CONVERSATION_ID,
} from '../semconv/attributes.js';
import { readNumber, readString, readStringArray } from '../semconv/readAttributes.js';
import { humanizeName } from './describe.js';
import { sentence, truncate } from './textShape.js';
import { redactText } from './redact/redact.js';
import type { Draft, EnvelopeKey, SessionState } from './SessionState.js';
import type { AaepEventOf } from '../protocol/index.js';
import { joined, phrase, type Text } from './messages/Phrase.js';

/** The `session.started` of a session, from its root span's attributes. */
export function sessionStarted(session: SessionState, attrs: Attributes): Draft<Omit<AaepEventOf<'aaep:agent.session.started'>, EnvelopeKey>> {
  const request = readString(attrs, AAEP_SESSION_REQUEST);
  const explicit = readString(attrs, AAEP_SESSION_SUMMARY);
  const tools = readStringArray(attrs, AAEP_SESSION_TOOLS)?.map((tool) => truncate(redactText(tool), 256));
  const requestText = request === undefined ? undefined : truncate(redactText(request), 2000);
  const normal = explicit
    ? sentence(truncate(redactText(explicit), 2000))
    : requestText
      ? phrase.workingOnRequest(session.agentName, truncate(requestText, 200))
      : phrase.startedWorking(session.agentName);
  const detailParts: Text[] = [normal];
  if (tools && tools.length > 0) detailParts.push(phrase.canUseTools(tools.map(humanizeName)));
  const conversation = readString(attrs, GEN_AI_CONVERSATION_ID);
  if (conversation) detailParts.push(phrase.conversation(truncate(redactText(conversation), 64)));
  const expected = readNumber(attrs, AAEP_SESSION_EXPECTED_DURATION_MS);
  const requestedBy = readString(attrs, AAEP_SESSION_REQUESTED_BY);
  return {
    type: 'aaep:agent.session.started',
    summary_terse: phrase.started(),
    summary_normal: normal,
    summary_detailed: joined(detailParts),
    ...(requestText !== undefined && { request_text: requestText }),
    ...(requestedBy !== undefined && { requested_by: truncate(redactText(requestedBy), 256) }),
    ...(tools !== undefined && { tools_available: [...new Set(tools)] }),
    ...(expected !== undefined && expected >= 0 && { expected_duration_ms: Math.round(expected) }),
  };
}
