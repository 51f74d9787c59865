import type { AaepEvent, Verbosity } from '../protocol/index.js';

type SummaryField = 'summary_terse' | 'summary_normal' | 'summary_detailed';

// The chosen level first, then more detail before less: a missing summary never silences an event.
const SUMMARY_ORDER: Record<Verbosity, readonly SummaryField[]> = {
  terse: ['summary_terse', 'summary_normal', 'summary_detailed'],
  normal: ['summary_normal', 'summary_detailed', 'summary_terse'],
  detailed: ['summary_detailed', 'summary_normal', 'summary_terse'],
};

/** Fields that say what an event is about, for producers that send no summary at all. */
const SUBJECT_FIELDS = ['question', 'action', 'reason', 'tool', 'to_state'] as const;
/** Of those, the identifiers (search_flights, calling_tool), read better as words. */
const IDENTIFIER_FIELDS: ReadonlySet<string> = new Set(['tool', 'to_state']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * The words to say for an event at the listener's verbosity: its summary at that
 * level, else another level, else a sentence built from its type and subject. For
 * output it is the chunk itself, which may be empty (the closing chunk often is).
 * Never "undefined", whatever the producer left out. With `label` (a session's, from
 * `SessionLabels`, while several are open) the words say which task speaks: "Report task: Done.".
 */
export function announce(event: AaepEvent, verbosity: Verbosity = 'normal', label?: string): string {
  const words = unlabelled(event, verbosity);
  return label === undefined || label === '' || words.trim() === '' ? words : `${label}: ${words}`;
}

function unlabelled(event: AaepEvent, verbosity: Verbosity): string {
  const fields = event as Record<string, unknown>;
  if (event.type === 'aaep:agent.output.streaming') return typeof fields.chunk === 'string' ? fields.chunk : '';
  for (const field of SUMMARY_ORDER[verbosity]) {
    const summary = text(fields[field]);
    if (summary !== undefined) return summary;
  }
  // "aaep:agent.tool.invoked" → "Tool invoked"; extension types lose their namespace the same way.
  const kind = String(event.type).replace(/^[^:]*:/, '').replace(/^agent\./, '').replace(/[._]+/g, ' ').trim();
  const what = kind === '' ? 'Event' : `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;
  const field = SUBJECT_FIELDS.find((name) => text(fields[name]) !== undefined);
  if (field === undefined) return `${what}.`;
  const raw = String(fields[field]).trim();
  const subject = IDENTIFIER_FIELDS.has(field) ? raw.replace(/_/g, ' ') : raw;
  return `${what}: ${subject}${/[.!?…]$/.test(subject) ? '' : '.'}`;
}
