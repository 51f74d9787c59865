import type { Span } from '@opentelemetry/api';
import {
  AAEP_EVENT_HANDOFF_REQUESTED,
  AAEP_HANDOFF_REASON,
  AAEP_HANDOFF_SUMMARY,
  AAEP_HANDOFF_TARGET_KIND,
  AAEP_HANDOFF_TARGET_URI,
  AAEP_HANDOFF_URGENCY,
} from '../semconv/attributes.js';

export interface HandoffOptions {
  /** Why, e.g. "Refunds over 1000 NOK need a person to approve them." */
  readonly reason: string;
  readonly targetKind: 'human' | 'specialist_agent' | 'escalation_queue';
  /** What the user hears, e.g. "A support agent will take over in a moment." */
  readonly summary?: string;
  readonly targetUri?: string;
  readonly urgency?: 'low' | 'medium' | 'high';
}

/** Announces that the agent hands the session to a person or another agent (spec §4.4.3). */
export function handoff(span: Span, options: HandoffOptions): void {
  span.addEvent(AAEP_EVENT_HANDOFF_REQUESTED, {
    [AAEP_HANDOFF_REASON]: options.reason,
    [AAEP_HANDOFF_TARGET_KIND]: options.targetKind,
    ...(options.summary !== undefined && { [AAEP_HANDOFF_SUMMARY]: options.summary }),
    ...(options.targetUri !== undefined && { [AAEP_HANDOFF_TARGET_URI]: options.targetUri }),
    ...(options.urgency !== undefined && { [AAEP_HANDOFF_URGENCY]: options.urgency }),
  });
}
