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
import { humanizeName, sentence, truncate } from './describe.js';
import { redactText } from './redact/redact.js';
import type { EnvelopeKey, SessionState } from './SessionState.js';
import type { AaepEventOf } from '../protocol/index.js';
import { phrases } from './phrases.js';

/** The `session.started` of a session, from its root span's attributes. */
export function sessionStarted(session: SessionState, attrs: Attributes): Omit<AaepEventOf<'aaep:agent.session.started'>, EnvelopeKey> {
  const request = readString(attrs, AAEP_SESSION_REQUEST);
  const explicit = readString(attrs, AAEP_SESSION_SUMMARY);
  const tools = readStringArray(attrs, AAEP_SESSION_TOOLS)?.map((tool) => truncate(redactText(tool), 256));
  const requestText = request === undefined ? undefined : truncate(redactText(request), 2000);
  const normal = explicit
    ? sentence(truncate(redactText(explicit), 2000))
    : requestText
      ? phrases.workingOnRequest(session.agentName, truncate(requestText, 200))
      : phrases.startedWorking(session.agentName);
  const detailParts = [normal];
  if (tools && tools.length > 0) detailParts.push(phrases.canUseTools(tools.map(humanizeName)));
  const conversation = readString(attrs, GEN_AI_CONVERSATION_ID);
  if (conversation) detailParts.push(phrases.conversation(truncate(redactText(conversation), 64)));
  const expected = readNumber(attrs, AAEP_SESSION_EXPECTED_DURATION_MS);
  const requestedBy = readString(attrs, AAEP_SESSION_REQUESTED_BY);
  return {
    type: 'aaep:agent.session.started',
    summary_terse: phrases.started,
    summary_normal: normal,
    summary_detailed: detailParts.join(' '),
    ...(requestText !== undefined && { request_text: requestText }),
    ...(requestedBy !== undefined && { requested_by: truncate(redactText(requestedBy), 256) }),
    ...(tools !== undefined && { tools_available: [...new Set(tools)] }),
    ...(expected !== undefined && expected >= 0 && { expected_duration_ms: Math.round(expected) }),
  };
}
