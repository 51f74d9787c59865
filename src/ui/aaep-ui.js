// @ts-check
/**
 * The AAEP web subscriber: listens to `v1/events` (beside this page, over SSE) and makes
 * what the agent does perceivable and answerable without sight or a mouse.
 *
 * - Announcements go to ARIA live regions: polite for progress, output and state,
 *   assertive for critical events. Each is also appended to the event log (an <ol>).
 * - The verbosity switch picks summary_terse / _normal / _detailed (remembered).
 * - Output is announced a sentence at a time, never token by token.
 * - Confirmations and questions open a modal <dialog> that takes focus, keeps Tab inside,
 *   shows the consequence, the default and the time left (announced once, at half time),
 *   and gives focus back when it closes; it closes itself when the question is settled
 *   elsewhere (the state leaves awaiting_input, or the session ends).
 * - The token, when the server has one, travels in the `aaep_token` cookie the server set
 *   (HttpOnly: this script never sees it) with the stream and the replies, both same-origin.
 *
 * No framework and no build step: a plain ES module, type-checked through JSDoc.
 */

/** @typedef {'terse' | 'normal' | 'detailed'} Verbosity */

/**
 * The fields of an AAEP event this page reads (see src/protocol/events.ts).
 * @typedef {object} AaepEvent
 * @property {string} type
 * @property {string} event_id
 * @property {string} session_id
 * @property {'background' | 'normal' | 'high' | 'critical'} [urgency]
 * @property {{ primary_language?: string }} [localization_hints]
 * @property {string} [summary_terse]
 * @property {string} [summary_normal]
 * @property {string} [summary_detailed]
 * @property {string} [from_state]
 * @property {string} [to_state]
 * @property {{ percent?: number, description?: string }} [progress]
 * @property {string} [chunk]
 * @property {boolean} [complete]
 * @property {string} [output_id]
 * @property {string} [language]
 * @property {string} [action]
 * @property {string} [consequence]
 * @property {string} [reply_token]
 * @property {number} [timeout_seconds]
 * @property {'accept' | 'reject'} [default_decision]
 * @property {'low' | 'medium' | 'high'} [risk_level]
 * @property {boolean} [irreversible]
 * @property {string} [question]
 * @property {{ value: string, label: string }[]} [choices]
 * @property {string[]} [accepted_response_kinds]
 * @property {string} [context]
 * @property {string} [default_response]
 * @property {string} [reason]
 */

/**
 * A confirmation or question waiting for the user.
 * @typedef {object} Question
 * @property {AaepEvent} event
 * @property {string} token
 * @property {'confirmation' | 'clarification'} kind
 * @property {number} receivedAt
 * @property {number} deadline
 * @property {string} lang
 * @property {HTMLLIElement} item
 * @property {boolean} halfAnnounced
 */

/** @typedef {{ buffer: string, item: HTMLLIElement | undefined, lang: string, session: string }} Output */

// ---- Page elements ----

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T }} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`aaep-ui: #${id} is missing from the page`);
  return element;
}

const connection = byId('connection', HTMLElement);
const log = byId('log', HTMLOListElement);
const logRegion = byId('log-region', HTMLElement);
const logEmpty = byId('log-empty', HTMLElement);
const handoffNotice = byId('handoff', HTMLElement);
const handoffText = byId('handoff-text', HTMLElement);
const settings = byId('settings', HTMLFormElement);
const askForm = byId('ask', HTMLFormElement);
const askText = byId('ask-text', HTMLInputElement);
const askStatus = byId('ask-status', HTMLElement);
const confirmDialog = byId('confirm-dialog', HTMLDialogElement);
const clarifyDialog = byId('clarify-dialog', HTMLDialogElement);
const clarifyChoices = byId('clarify-choices', HTMLElement);
const clarifyForm = byId('clarify-form', HTMLFormElement);
const clarifyText = byId('clarify-text', HTMLInputElement);
const clarifyError = byId('clarify-error', HTMLElement);

// ---- Where to talk to ----

// Relative to the page (…/aaep/ui), so the page works wherever the router is mounted.
const EVENTS_URL = new URL('v1/events', location.href);
const REPLIES_URL = new URL('v1/replies', location.href);
const MESSAGES_URL = new URL('v1/messages', location.href);

const SUBSCRIPTION_ID = `sub_web${Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
const PAGE_LANG = document.documentElement.lang || 'en';
const MAX_LOG_ITEMS = 500;

/**
 * @param {URL} url
 * @param {unknown} body
 */
function post(url, body) {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

// ---- Verbosity ----

const VERBOSITY_KEY = 'aaep-ui.verbosity';

/** @param {unknown} value @returns {value is Verbosity} */
const isVerbosity = (value) => value === 'terse' || value === 'normal' || value === 'detailed';

/** @returns {Verbosity} */
function loadVerbosity() {
  try {
    const stored = localStorage.getItem(VERBOSITY_KEY);
    if (isVerbosity(stored)) return stored;
  } catch {
    // Storage may be off; the default will do.
  }
  return 'normal';
}

let verbosity = loadVerbosity();
for (const radio of settings.querySelectorAll('input[name="verbosity"]')) {
  if (radio instanceof HTMLInputElement) radio.checked = radio.value === verbosity;
}
settings.addEventListener('change', (event) => {
  const target = event.target;
  if (!(target instanceof HTMLInputElement) || !isVerbosity(target.value)) return;
  verbosity = target.value;
  try {
    localStorage.setItem(VERBOSITY_KEY, verbosity);
  } catch {
    // Not remembered, still applied.
  }
});
settings.addEventListener('submit', (event) => event.preventDefault());

/**
 * The summary for the chosen verbosity, else the nearest one, else words from the event.
 * @param {AaepEvent} event
 * @returns {string}
 */
function summaryOf(event) {
  const { summary_terse: terse, summary_normal: normal, summary_detailed: detailed } = event;
  const order = verbosity === 'terse' ? [terse, normal, detailed] : verbosity === 'detailed' ? [detailed, normal, terse] : [normal, terse, detailed];
  for (const text of order) if (typeof text === 'string' && text.trim() !== '') return text;
  const fallback = event.progress?.description ?? event.question ?? event.action ?? event.reason ?? event.to_state;
  return (fallback ?? event.type.replace(/^aaep:agent\./, '')).replace(/[._]/g, ' ');
}

/** @param {AaepEvent} event */
const langOf = (event) => event.language ?? event.localization_hints?.primary_language ?? PAGE_LANG;

// ---- Announcing and logging ----

/** @type {HTMLDialogElement | undefined} */
let openDialog;

/**
 * Speaks `text` through a live region. While a modal dialog is open the rest of the page
 * is inert (hidden from assistive technology), so the dialog's own regions speak.
 * @param {string} text
 * @param {{ lang?: string, assertive?: boolean }} [how]
 */
function announce(text, { lang = PAGE_LANG, assertive = false } = {}) {
  const region = openDialog
    ? openDialog.querySelector(assertive ? '.live-assertive' : '.live-polite')
    : document.getElementById(assertive ? 'live-assertive' : 'live-polite');
  if (!(region instanceof HTMLElement)) return;
  const line = document.createElement('p');
  line.lang = lang;
  line.dir = 'auto';
  line.textContent = text;
  region.append(line);
  // Added nodes are what is read; old ones only need to go.
  while (region.childElementCount > 3) region.firstElementChild?.remove();
}

/**
 * @param {string} text
 * @param {{ lang?: string, critical?: boolean }} [how]
 * @returns {HTMLLIElement}
 */
function logItem(text, { lang = PAGE_LANG, critical = false } = {}) {
  const atEnd = logRegion.scrollTop + logRegion.clientHeight >= logRegion.scrollHeight - 8;
  const item = document.createElement('li');
  if (critical) item.className = 'critical';
  const body = document.createElement('span');
  body.className = 'text';
  body.lang = lang;
  body.dir = 'auto';
  body.textContent = text;
  const now = new Date();
  const time = document.createElement('time');
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  item.append(body, ' ', time);
  log.append(item);
  logEmpty.hidden = true;
  while (log.childElementCount > MAX_LOG_ITEMS) log.firstElementChild?.remove();
  if (atEnd) logRegion.scrollTop = logRegion.scrollHeight;
  return item;
}

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

  if (event.type === 'aaep:agent.output.streaming') return onOutput(event);
  if (event.type === 'aaep:agent.awaiting.confirmation') return ask(event, 'confirmation');
  if (event.type === 'aaep:agent.awaiting.clarification') return ask(event, 'clarification');

  const lang = langOf(event);
  const critical = event.urgency === 'critical';
  const text = summaryOf(event);
  logItem(text, { lang, critical });
  const quiet = (verbosity === 'terse' && event.urgency === 'background') || isRepeatedReminder(event);

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
      speakOutput(output, output.buffer);
      outputs.delete(key);
    }
  }
  if (!quiet) announce(text, { lang, assertive: critical });
}

// ---- Output, a sentence at a time ----

/** A sentence ends at . ! ? … (and closing quotes) before a space, at 。！？, or at a line break. */
const BOUNDARY = /[.!?…]["'”’)\]»]*\s+|[。！？]["'”’)\]»]*|\n+/g;

/** @type {Map<string, Output>} */
const outputs = new Map();

/** @param {AaepEvent} event */
function onOutput(event) {
  const key = event.output_id ?? event.session_id;
  const output = outputs.get(key) ?? { buffer: '', item: undefined, lang: langOf(event), session: event.session_id };
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
    if (sentence !== '') announce(sentence, { lang: output.lang });
    start = match.index + match[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest !== '') announce(rest, { lang: output.lang });
  if (output.item === undefined) output.item = logItem(text.trim(), { lang: output.lang });
  else output.item.querySelector('.text')?.append(` ${text.trim()}`);
}

// ---- Confirmations and questions ----

/** Questions not yet settled, by reply token. */
/** @type {Map<string, Question>} */
const pending = new Map();
/** Questions waiting for the dialog while another is shown. */
/** @type {Question[]} */
const queue = [];
/** @type {Question | undefined} */
let current;
/** @type {Element | null} */
let returnFocusTo = null;
/** @type {number[]} */
let timers = [];

/**
 * @param {AaepEvent} event
 * @param {'confirmation' | 'clarification'} kind
 */
function ask(event, kind) {
  const lang = langOf(event);
  const text = summaryOf(event);
  const item = logItem(text, { lang, critical: true });
  if (event.reply_token === undefined) return;
  const now = Date.now();
  /** @type {Question} */
  const question = {
    event,
    token: event.reply_token,
    kind,
    receivedAt: now,
    deadline: now + (event.timeout_seconds ?? 60) * 1000,
    lang,
    item,
    halfAnnounced: false,
  };
  const reopen = document.createElement('button');
  reopen.type = 'button';
  reopen.className = 'reopen';
  reopen.textContent = 'Answer';
  reopen.hidden = true;
  reopen.addEventListener('click', () => {
    if (!pending.has(question.token) || current === question) return;
    if (current === undefined) show(question);
    else if (!queue.includes(question)) queue.push(question);
  });
  item.append(' ', reopen);
  pending.set(question.token, question);
  if (current === undefined) {
    show(question);
  } else {
    queue.push(question);
    announce(`Another question is waiting: ${text}`, { lang, assertive: true });
  }
}

/**
 * Opens the dialog for `question`. Taking focus is its announcement: the dialog's name
 * (the action or question) and description (consequence, risk, default) are read.
 * @param {Question} question
 */
function show(question) {
  const dialog = question.kind === 'confirmation' ? confirmDialog : clarifyDialog;
  const other = dialog === confirmDialog ? clarifyDialog : confirmDialog;
  if (other.open) other.close();
  if (openDialog === undefined) returnFocusTo = document.activeElement;
  current = question;
  question.item.querySelector('.reopen')?.setAttribute('hidden', '');
  const initialFocus = question.kind === 'confirmation' ? fillConfirmation(question) : fillClarification(question);
  for (const region of dialog.querySelectorAll('.live-polite, .live-assertive')) region.replaceChildren();
  if (!dialog.open) dialog.showModal();
  openDialog = dialog;
  initialFocus.focus();

  updateCountdown();
  timers.push(window.setInterval(updateCountdown, 5000));
  const half = question.receivedAt + (question.deadline - question.receivedAt) / 2 - Date.now();
  if (half > 0) timers.push(window.setTimeout(() => announceHalfTime(question), half));
}

/**
 * @param {string} id
 * @param {string} text
 * @param {string} lang
 */
function setText(id, text, lang) {
  const element = byId(id, HTMLElement);
  element.textContent = text;
  element.lang = lang;
  element.dir = 'auto';
}

/**
 * The page's words around the agent's, the agent's isolated in a <bdi>: a bidi control in
 * them (an RLO) cannot reorder the words around.
 * @param {string} before
 * @param {string} agentText
 * @param {string} after
 * @param {string} lang
 * @returns {(string | HTMLElement)[]}
 */
function framed(before, agentText, after, lang) {
  const isolated = document.createElement('bdi');
  isolated.lang = lang;
  isolated.textContent = agentText;
  return [before, isolated, after];
}

/** @param {Question} question @returns {HTMLElement} the element to focus */
function fillConfirmation({ event, lang }) {
  // The agent's words carry its language; the page's own words stay in the page's.
  setText('confirm-action', event.action ?? summaryOf(event), lang);
  setText('confirm-consequence', event.consequence ?? '', lang);
  const risk = [event.risk_level === undefined ? '' : `Risk: ${event.risk_level}.`, event.irreversible === true ? 'This cannot be undone.' : ''];
  byId('confirm-risk', HTMLElement).textContent = risk.filter(Boolean).join(' ');
  byId('confirm-default', HTMLElement).textContent =
    event.default_decision === 'accept' ? 'If you do not answer in time, it will go ahead.' : 'If you do not answer in time, it will not happen.';
  // The least destructive choice has focus first; Tab reaches Accept.
  return byId('confirm-reject', HTMLButtonElement);
}

/** @param {Question} question @returns {HTMLElement} the element to focus */
function fillClarification({ event, lang }) {
  const kinds = event.accepted_response_kinds ?? ['freetext'];
  setText('clarify-title', event.question ?? summaryOf(event), lang);
  setText('clarify-context', event.context ?? '', lang);
  const fallback = byId('clarify-default', HTMLElement);
  if (event.default_response === undefined || event.default_response === '') fallback.textContent = 'If you do not answer in time, the agent stops waiting.';
  else fallback.replaceChildren(...framed('If you do not answer in time, the agent uses: ', event.default_response, '.', lang));

  /** @type {{ label: string, response: string | boolean }[]} */
  const options = (event.choices ?? []).map((choice) => ({ label: choice.label, response: choice.value }));
  if (options.length === 0 && kinds.includes('yes_no')) options.push({ label: 'Yes', response: true }, { label: 'No', response: false });
  clarifyChoices.replaceChildren(
    ...options.map(({ label, response }) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.dir = 'auto';
      if (typeof response === 'string') button.lang = lang;
      button.addEventListener('click', () => answer({ response }));
      return button;
    }),
  );
  clarifyChoices.hidden = options.length === 0;

  const typed = kinds.includes('freetext') || kinds.includes('numeric');
  clarifyForm.hidden = !typed;
  clarifyText.value = '';
  clarifyText.inputMode = kinds.includes('freetext') ? 'text' : 'decimal';
  clarifyError.textContent = '';
  const first = clarifyChoices.querySelector('button');
  return first ?? (typed ? clarifyText : byId('clarify-dismiss', HTMLButtonElement));
}

/** Shows the time left; not a live region, so it is read only when the user looks. */
function updateCountdown() {
  if (current === undefined) return;
  const { event, kind, deadline } = current;
  const left = Math.ceil((deadline - Date.now()) / 1000);
  const what = kind === 'confirmation' ? (event.default_decision === 'accept' ? 'it goes ahead' : 'it will not happen') : 'the agent stops waiting';
  byId(kind === 'confirmation' ? 'confirm-time' : 'clarify-time', HTMLElement).textContent =
    left > 0 ? `About ${duration(left)} left to answer.` : `Time is up: ${what}.`;
}

/** @param {number} seconds */
function duration(seconds) {
  const rounded = seconds > 20 ? Math.ceil(seconds / 5) * 5 : seconds;
  const minutes = Math.floor(rounded / 60);
  const rest = rounded % 60;
  const parts = [];
  if (minutes > 0) parts.push(`${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`);
  if (rest > 0 || minutes === 0) parts.push(`${rest} ${rest === 1 ? 'second' : 'seconds'}`);
  return parts.join(' ');
}

/** Once per question, at half time (unless the agent's own reminder said it already). */
/** @param {Question} question */
function announceHalfTime(question) {
  if (current !== question || question.halfAnnounced) return;
  question.halfAnnounced = true;
  const left = Math.max(1, Math.round((question.deadline - Date.now()) / 1000));
  announce(`Half the time is left: about ${duration(left)} to answer.`);
}

/**
 * The agent reminds at half time too (a progress event of the waiting session): say it
 * once, whichever comes first.
 * @param {AaepEvent} event
 */
function isRepeatedReminder(event) {
  if (event.type !== 'aaep:agent.progress.updated' || event.progress?.percent !== 50) return false;
  const question = [...pending.values()].find((q) => q.event.session_id === event.session_id);
  if (question === undefined) return false;
  const repeated = question.halfAnnounced;
  question.halfAnnounced = true;
  return repeated;
}

/**
 * Closes the dialog; opens the next waiting question, or gives focus back.
 * @param {boolean} dismissed the question is still open (the user chose "Not now")
 */
function hide(dismissed) {
  const question = current;
  if (question === undefined) return;
  for (const timer of timers) window.clearTimeout(timer);
  timers = [];
  current = undefined;
  if (dismissed) question.item.querySelector('.reopen')?.removeAttribute('hidden');
  const next = queue.shift();
  if (next !== undefined) {
    show(next);
    return;
  }
  openDialog?.close();
  openDialog = undefined;
  const target = returnFocusTo instanceof HTMLElement && returnFocusTo.isConnected && returnFocusTo !== document.body ? returnFocusTo : logRegion;
  returnFocusTo = null;
  target.focus();
}

/**
 * The session's questions are settled (answered here or elsewhere, timed out, or the
 * session ended): close their dialogs.
 * @param {string} sessionId
 */
function settle(sessionId) {
  for (const question of [...pending.values()]) {
    if (question.event.session_id !== sessionId) continue;
    pending.delete(question.token);
    question.item.querySelector('.reopen')?.remove();
    const queued = queue.indexOf(question);
    if (queued !== -1) queue.splice(queued, 1);
    if (current === question) hide(false);
  }
}

/**
 * Sends the answer to the shown question and closes its dialog. The outcome arrives on
 * the stream (every well-formed reply gets 204, honoured or not).
 * @param {{ decision: 'accept' | 'reject' } | { response: string | number | boolean }} answerBody
 */
async function answer(answerBody) {
  const question = current;
  if (question === undefined) return;
  hide(false);
  const type = 'decision' in answerBody ? 'confirmation.reply' : 'clarification.reply';
  const body = { type, reply_token: question.token, subscription_id: SUBSCRIPTION_ID, timestamp: new Date().toISOString(), ...answerBody };
  let problem = '';
  try {
    const response = await post(REPLIES_URL, body);
    if (response.status !== 204) problem = `the agent answered with status ${response.status}`;
  } catch {
    problem = 'the connection failed';
  }
  if (problem === '' || !pending.has(question.token)) return;
  logItem(`Your answer was not sent: ${problem}.`, { critical: true });
  announce(`Your answer was not sent: ${problem}. The question is open again.`, { assertive: true });
  if (current === undefined) show(question);
  else queue.unshift(question);
}

byId('confirm-accept', HTMLButtonElement).addEventListener('click', () => void answer({ decision: 'accept' }));
byId('confirm-reject', HTMLButtonElement).addEventListener('click', () => void answer({ decision: 'reject' }));
byId('clarify-dismiss', HTMLButtonElement).addEventListener('click', () => hide(true));
clarifyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = clarifyText.value.trim();
  const kinds = current?.event.accepted_response_kinds ?? ['freetext'];
  const number = Number(text.replace(',', '.'));
  let message = '';
  if (text === '') message = 'Please type an answer.';
  else if (!kinds.includes('freetext') && !Number.isFinite(number)) message = 'Please type a number.';
  if (message !== '') {
    clarifyError.textContent = message;
    announce(message, { assertive: true });
    clarifyText.focus();
    return;
  }
  void answer({ response: kinds.includes('freetext') ? text : number });
});

/** Escape rejects a confirmation and closes a question; Tab and Shift+Tab stay inside. */
for (const dialog of [confirmDialog, clarifyDialog]) {
  let escapeHandled = false;
  const escape = () => {
    if (current === undefined) return;
    if (current.kind === 'confirmation') void answer({ decision: 'reject' });
    else hide(true);
  };
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      // One key press, one escape, even if the browser also fires "cancel" for it.
      escapeHandled = true;
      window.setTimeout(() => (escapeHandled = false));
      escape();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = [...dialog.querySelectorAll('button, input')].filter(
      (element) => element instanceof HTMLElement && element.closest('[hidden]') === null && !(/** @type {HTMLButtonElement} */ (element).disabled),
    );
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!(first instanceof HTMLElement) || !(last instanceof HTMLElement)) return;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  });
  // The browser's own Escape handling (a close request that did not come as a key press).
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (!escapeHandled) escape();
  });
  // Closed by the browser anyway (it may refuse a second cancel): the same as Escape.
  dialog.addEventListener('close', () => {
    if (openDialog === dialog && !dialog.open) escape();
  });
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

function connect() {
  const url = new URL(EVENTS_URL);
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
    window.setTimeout(connect, 15_000);
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

connect();
