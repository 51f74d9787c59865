// @ts-check
/**
 * Which of the listener's sessions are open, and a short label for each, so that when
 * several run at once an announcement can say which task is speaking ("Report task:
 * Done."). Pure (no DOM, no Node): the web page imports this file as it is, and
 * aaep-otel/client exports the same class, so the page, the CLI and `announce()` always
 * name a session alike. Types: SessionLabels.d.ts beside it.
 */

/** Words of the request a label keeps: enough to tell tasks apart, short enough to say before every line. */
const LABEL_WORDS = 3;
const LABEL_CHARS = 32;
/** Control, format (bidi overrides, zero-width) and separator characters: none may reach a label. */
const UNSAYABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const SESSION_END = /^aaep:agent\.session\.(completed|errored|cancelled)$/;
/** Sessions remembered at most: one whose end was never heard must not grow the map for ever. */
export const MAX_OPEN_SESSIONS = 256;

/**
 * The first few words of a request, trimmed, with unsayable characters removed and
 * trailing punctuation dropped; "Task" when nothing is left.
 * @param {unknown} requestText
 * @returns {string}
 */
export function shortLabel(requestText) {
  const words = (typeof requestText === 'string' ? requestText : '').replace(UNSAYABLE, ' ').split(/\s+/).filter(Boolean);
  let label = words.slice(0, LABEL_WORDS).join(' ');
  if (label.length > LABEL_CHARS) label = label.slice(0, LABEL_CHARS);
  label = label.replace(/[\s\p{P}]+$/u, '').replace(/^[\s\p{P}]+/u, '');
  if (label === '') return 'Task';
  return `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
}

export class SessionLabels {
  /** @type {Map<string, { label: string, state: string }>} */
  #open = new Map();

  /**
   * Follows one event and gives the label to say with it: the session's label while more
   * than one session is open (counting this one, even when this event ends it), else
   * undefined, so a single session is heard as before.
   * @param {{ type: string, session_id: string, request_text?: unknown, to_state?: unknown }} event
   * @returns {string | undefined}
   */
  observe(event) {
    const id = event.session_id;
    if (event.type === 'aaep:agent.session.started' && !this.#open.has(id)) {
      this.#open.set(id, { label: this.#unique(shortLabel(event.request_text)), state: 'working' });
      const oldest = this.#open.size > MAX_OPEN_SESSIONS ? this.#open.keys().next().value : undefined;
      if (oldest !== undefined) this.#open.delete(oldest);
    }
    const session = this.#open.get(id);
    if (session !== undefined && event.type === 'aaep:agent.state.changed' && typeof event.to_state === 'string') session.state = event.to_state;
    const label = session !== undefined && this.#open.size > 1 ? session.label : undefined;
    if (SESSION_END.test(event.type)) this.#open.delete(id);
    return label;
  }

  /** @param {string} sessionId @returns {string | undefined} */
  labelOf(sessionId) {
    return this.#open.get(sessionId)?.label;
  }

  /** True while more than one session is open: then announcements carry labels. */
  get several() {
    return this.#open.size > 1;
  }

  /**
   * The open sessions, oldest first, with the state each last changed to.
   * @returns {{ sessionId: string, label: string, state: string }[]}
   */
  open() {
    return [...this.#open].map(([sessionId, { label, state }]) => ({ sessionId, label, state }));
  }

  /**
   * `label`, or "label 2", "label 3", … when an open session already has it.
   * @param {string} label
   */
  #unique(label) {
    const taken = new Set([...this.#open.values()].map((session) => session.label));
    let candidate = label;
    for (let n = 2; taken.has(candidate); n++) candidate = `${label} ${n}`;
    return candidate;
  }
}
