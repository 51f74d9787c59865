// @ts-check
/**
 * Confirmations and questions: a modal <dialog> that takes focus, keeps Tab inside, shows
 * the consequence, the default and the time left (announced once, at half time), and
 * gives focus back when it closes; it closes itself when the question is settled
 * elsewhere (the state leaves awaiting_input, or the session ends).
 */
import { REPLIES_URL, byId, post, subscriptionId } from './page.js';
import { announce, logItem, setOpenDialog } from './speech.js';
import { summaryOf, langOf } from './verbosity.js';
import { fillClarification, fillConfirmation } from './dialogContent.js';
import { sessions, showWaiting } from './sessionList.js';

/** @typedef {import('./page.js').AaepEvent} AaepEvent */
/** @typedef {import('./dialogContent.js').Answer} Answer */

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

const logRegion = byId('log-region', HTMLElement);
const confirmDialog = byId('confirm-dialog', HTMLDialogElement);
const clarifyDialog = byId('clarify-dialog', HTMLDialogElement);
const clarifyForm = byId('clarify-form', HTMLFormElement);
const clarifyText = byId('clarify-text', HTMLInputElement);
const clarifyError = byId('clarify-error', HTMLElement);

/** @type {HTMLDialogElement | undefined} */
let openDialog;

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
 * @param {string | undefined} label
 */
export function ask(event, kind, label) {
  const lang = langOf(event);
  const text = summaryOf(event);
  const item = logItem(text, { lang, critical: true, label });
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
  reopen.addEventListener('click', () => reopenQuestion(question));
  item.append(' ', reopen);
  pending.set(question.token, question);
  // In the list of open sessions too, answerable there without the dialog.
  const actions =
    kind === 'confirmation'
      ? [
          { label: 'Accept', run: () => answer({ decision: 'accept' }, question) },
          { label: 'Reject', run: () => answer({ decision: 'reject' }, question) },
        ]
      : [{ label: 'Answer', run: () => reopenQuestion(question) }];
  const asked = kind === 'confirmation' ? (event.action ?? text) : (event.question ?? text);
  showWaiting(event.session_id, { prefix: kind === 'confirmation' ? 'Confirm: ' : 'Question: ', text: asked, lang, actions });
  if (current === undefined) {
    show(question);
  } else {
    queue.push(question);
    announce(`Another question is waiting: ${text}`, { lang, assertive: true, label });
  }
}

/**
 * Opens a question's dialog again (the user chose "Not now" before), or queues it.
 * @param {Question} question
 */
function reopenQuestion(question) {
  if (!pending.has(question.token) || current === question) return;
  if (current === undefined) show(question);
  else if (!queue.includes(question)) queue.push(question);
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
  const initialFocus = question.kind === 'confirmation' ? fillConfirmation(question) : fillClarification(question, answer);
  // Which task asks, while several run now (part of the dialog's description).
  const label = sessions.several ? sessions.labelOf(question.event.session_id) : undefined;
  byId(question.kind === 'confirmation' ? 'confirm-session' : 'clarify-session', HTMLElement).textContent = label === undefined ? '' : `Asked by: ${label}.`;
  for (const region of dialog.querySelectorAll('.live-polite, .live-assertive')) region.replaceChildren();
  if (!dialog.open) dialog.showModal();
  openDialog = dialog;
  setOpenDialog(dialog);
  initialFocus.focus();

  updateCountdown();
  timers.push(window.setInterval(updateCountdown, 5000));
  const half = question.receivedAt + (question.deadline - question.receivedAt) / 2 - Date.now();
  if (half > 0) timers.push(window.setTimeout(() => announceHalfTime(question), half));
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
export function isRepeatedReminder(event) {
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
  setOpenDialog(undefined);
  const target = returnFocusTo instanceof HTMLElement && returnFocusTo.isConnected && returnFocusTo !== document.body ? returnFocusTo : logRegion;
  returnFocusTo = null;
  target.focus();
}

/**
 * The session's questions are settled (answered here or elsewhere, timed out, or the
 * session ended): close their dialogs.
 * @param {string} sessionId
 */
export function settle(sessionId) {
  for (const question of [...pending.values()]) {
    if (question.event.session_id !== sessionId) continue;
    pending.delete(question.token);
    question.item.querySelector('.reopen')?.remove();
    showWaiting(sessionId, undefined);
    const queued = queue.indexOf(question);
    if (queued !== -1) queue.splice(queued, 1);
    if (current === question) hide(false);
  }
}

/**
 * Sends the answer to a question (by default the shown one) and closes its dialog or
 * takes it from the queue. The outcome arrives on the stream (every well-formed reply
 * gets 204, honoured or not), which settles the question.
 * @param {Answer} answerBody
 * @param {Question | undefined} question
 */
async function answer(answerBody, question = current) {
  if (question === undefined) return;
  if (current === question) hide(false);
  const queued = queue.indexOf(question);
  if (queued !== -1) queue.splice(queued, 1);
  const type = 'decision' in answerBody ? 'confirmation.reply' : 'clarification.reply';
  const body = { type, reply_token: question.token, subscription_id: subscriptionId, timestamp: new Date().toISOString(), ...answerBody };
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
byId('confirm-dismiss', HTMLButtonElement).addEventListener('click', () => hide(true));
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
