// @ts-check
/**
 * The AAEP web subscriber: listens to `v1/events` (beside this page, over SSE) and makes
 * what the agent does perceivable and answerable without sight or a mouse.
 *
 * - Announcements go to ARIA live regions: polite for progress, output and state,
 *   assertive for critical events. Each is also appended to the event log (an <ol>).
 * - The verbosity switch picks summary_terse / _normal / _detailed (remembered).
 * - Output is announced a sentence at a time, never token by token.
 * - Confirmations and questions open a modal <dialog> (questions.js).
 * - While more than one session is open, every announcement and log item starts with
 *   its session's label (SessionLabels.js, shared with aaep-otel/client), and the
 *   "Open sessions" list (sessionList.js) shows each with its state and question.
 * - The token, when the server has one, travels in the `aaep_token` cookie the server set
 *   (HttpOnly: this script never sees it) with the stream and the replies, both same-origin.
 *
 * No framework and no build step: a plain ES module, type-checked through JSDoc.
 */
import { EVENTS_URL, MESSAGES_URL, byId, post, useSubscriptionId } from './page.js';
import { announce, logItem } from './speech.js';
import { currentVerbosity, langOf, onVerbosityChange, summaryOf, usePhraseLanguage } from './verbosity.js';
import { negotiate, renegotiate } from './negotiation.js';
import { ask, isRepeatedReminder, settle } from './questions.js';
import { sessions, showSessions } from './sessionList.js';

/** @typedef {import('./page.js').AaepEvent} AaepEvent */

/** @typedef {{ buffer: string, item: HTMLLIElement | undefined, lang: string, session: string, label: string | undefined }} Output */

const connection = byId('connection', HTMLElement);
const handoffNotice = byId('handoff', HTMLElement);
const handoffText = byId('handoff-text', HTMLElement);
const askForm = byId('ask', HTMLFormElement);
const askText = byId('ask-text', HTMLInputElement);
const askStatus = byId('ask-status', HTMLElement);

// ---- Events ----

/** Event ids already handled: a reconnect may replay the last few. */
/** @type {Set<string>} */
const seen = new Set();

/** @param {AaepEvent} event */
function onEvent(event) {
  if (seen.has(event.event_id)) return;
  seen.add(event.event_id);
  const oldest = seen.size > 2000 ? seen.values().next().value : undefined;
  if (oldest !== undefined) seen.delete(oldest);

  const label = sessions.observe(event);
  handle(event, label);
  showSessions(sessions.open());
}

/**
 * @param {AaepEvent} event
 * @param {string | undefined} label the session's, while several are open
 */
function handle(event, label) {
  if (event.type === 'aaep:agent.output.streaming') return onOutput(event, label);
  if (event.type === 'aaep:agent.awaiting.confirmation') return ask(event, 'confirmation', label);
  if (event.type === 'aaep:agent.awaiting.clarification') return ask(event, 'clarification', label);

  const lang = langOf(event);
  const critical = event.urgency === 'critical';
  const text = summaryOf(event);
  logItem(text, { lang, critical, label });
  const quiet = (currentVerbosity() === 'terse' && event.urgency === 'background') || isRepeatedReminder(event);

  // Settle first, so what settled it is said on the page, not in a dialog about to close.
  if (event.type === 'aaep:agent.session.started') handoffNotice.hidden = true;
  if (event.type === 'aaep:agent.handoff.requested') {
    handoffText.lang = lang;
    handoffText.dir = 'auto';
    handoffText.textContent = event.reason !== undefined && !text.includes(event.reason) ? `${text} ${event.reason}` : text;
    handoffNotice.hidden = false;
  }
  if (event.type === 'aaep:agent.state.changed' && event.from_state === 'awaiting_input') settle(event.session_id);
  if (/^aaep:agent\.session\.(completed|errored|cancelled)$/.test(event.type)) {
    settle(event.session_id);
    for (const [key, output] of outputs) {
      if (output.session !== event.session_id) continue;
      output.label = label;
      speakOutput(output, output.buffer);
      outputs.delete(key);
    }
  }
  if (!quiet) announce(text, { lang, assertive: critical, label });
}

// ---- Output, a sentence at a time ----

/** A sentence ends at . ! ? … (and closing quotes) before a space, at 。！？, or at a line break. */
const BOUNDARY = /[.!?…]["'”’)\]»]*\s+|[。！？]["'”’)\]»]*|\n+/g;

/** @type {Map<string, Output>} */
const outputs = new Map();

/**
 * @param {AaepEvent} event
 * @param {string | undefined} label
 */
function onOutput(event, label) {
  const key = event.output_id ?? event.session_id;
  const output = outputs.get(key) ?? { buffer: '', item: undefined, lang: langOf(event), session: event.session_id, label };
  output.label = label;
  output.buffer += event.chunk ?? '';
  let end = output.buffer.length;
  if (event.complete !== true) {
    end = 0;
    for (const match of output.buffer.matchAll(BOUNDARY)) end = match.index + match[0].length;
  }
  speakOutput(output, output.buffer.slice(0, end));
  output.buffer = output.buffer.slice(end);
  if (event.complete === true) outputs.delete(key);
  else outputs.set(key, output);
}

/**
 * Announces each sentence of `text` and adds it to the output's log item.
 * @param {Output} output
 * @param {string} text
 */
function speakOutput(output, text) {
  if (text.trim() === '') return;
  let start = 0;
  for (const match of text.matchAll(BOUNDARY)) {
    const sentence = text.slice(start, match.index + match[0].length).trim();
    if (sentence !== '') announce(sentence, { lang: output.lang, label: output.label });
    start = match.index + match[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest !== '') announce(rest, { lang: output.lang, label: output.label });
  if (output.item === undefined) output.item = logItem(text.trim(), { lang: output.lang, label: output.label });
  else output.item.querySelector('.text')?.append(` ${text.trim()}`);
}

// ---- Talking to the agent ----

askForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = askText.value.trim();
  if (text === '') return;
  askStatus.textContent = 'Sending…';
  try {
    const response = await post(MESSAGES_URL, { kind: 'user_input', text });
    if (response.status === 202) {
      askText.value = '';
      askStatus.textContent = 'Sent. The agent is on it.';
    } else {
      askStatus.textContent = response.status === 501 ? 'This agent does not take messages here.' : `Not sent: the agent answered with status ${response.status}.`;
    }
  } catch {
    askStatus.textContent = 'Not sent: the connection failed.';
  }
});

// ---- The stream ----

let lastEventId = '';

/** @param {string} text */
function setConnection(text) {
  if (connection.textContent !== text) connection.textContent = text;
}

/** @type {string | undefined} */
let negotiatedId;

async function connect() {
  // Each connection asks afresh: terms kept for a closed stream expire.
  const terms = await negotiate();
  negotiatedId = terms.id;
  if (terms.id !== undefined) useSubscriptionId(terms.id);
  usePhraseLanguage(terms.language);
  if (terms.note !== undefined) logItem(terms.note);
  const url = new URL(EVENTS_URL);
  if (terms.id !== undefined) url.searchParams.set('subscription_id', terms.id);
  if (lastEventId !== '') url.searchParams.set('last_event_id', lastEventId);
  const source = new EventSource(url);
  source.addEventListener('open', () => setConnection('Connected'));
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) {
      setConnection('Reconnecting…');
      return;
    }
    // Refused (a wrong token, a server error): EventSource gives up, so try again later.
    setConnection('Not connected. Retrying in 15 seconds. If this goes on, check the access token in the address.');
    window.setTimeout(() => void connect(), 15_000);
  });
  // Ends a catch-up of re-sent events (which carry no id): where a reconnection resumes.
  source.addEventListener('aaep.position', (message) => {
    lastEventId = message.lastEventId || lastEventId;
  });
  source.addEventListener('aaep.event', (message) => {
    lastEventId = message.lastEventId || lastEventId;
    /** @type {unknown} */
    let event;
    try {
      event = JSON.parse(String(message.data));
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null || !('type' in event) || !('event_id' in event) || !('session_id' in event)) return;
    onEvent(/** @type {AaepEvent} */ (event));
  });
}

async function renegotiateNow() {
  if (negotiatedId !== undefined) usePhraseLanguage(await renegotiate(negotiatedId));
}
// The producer's phrases follow the browser's languages and the switch from the next event on.
onVerbosityChange(() => void renegotiateNow());
window.addEventListener('languagechange', () => void renegotiateNow());

void connect();
