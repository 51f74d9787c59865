// @ts-check
/**
 * The "Open sessions" list: each open session's label and current state and, while it
 * waits for the user, what it asks with buttons to answer it. A real list of plain
 * buttons, so Tab reaches them and Enter or Space presses them. Not a live region: the
 * announcements already say what changes; the list is where to look it up and answer.
 */
import { byId } from './page.js';
import { SessionLabels } from './SessionLabels.js';

/** @typedef {import('./SessionLabels.js').OpenSession} OpenSession */
/** @typedef {{ label: string, run: () => unknown }} Action */
/** @typedef {{ prefix: string, text: string, lang: string, actions: Action[] }} Waiting */

const list = byId('session-list', HTMLUListElement);
const empty = byId('sessions-empty', HTMLElement);
const heading = byId('sessions-heading', HTMLElement);

/** The open sessions and their labels, followed by the page's event handler. */
export const sessions = new SessionLabels();

/** @type {Map<string, HTMLLIElement>} */
const items = new Map();
let nextId = 1;

/** States as words; one not listed is said as its name ("handing_off" → "handing off"). */
/** @type {Record<string, string>} */
const STATE_WORDS = {
  working: 'working',
  thinking: 'thinking',
  calling_tool: 'using a tool',
  awaiting_input: 'waiting for your answer',
  idle: 'idle',
};

/**
 * Shows `open` (oldest first): adds new sessions, updates states, removes ended ones.
 * @param {OpenSession[]} open
 */
export function showSessions(open) {
  const ids = new Set(open.map((session) => session.sessionId));
  for (const [sessionId, item] of items) {
    if (ids.has(sessionId)) continue;
    if (item.contains(document.activeElement)) heading.focus();
    item.remove();
    items.delete(sessionId);
  }
  for (const { sessionId, label, state } of open) {
    const item = items.get(sessionId) ?? addItem(sessionId, label);
    const words = STATE_WORDS[state] ?? state.replace(/_/g, ' ');
    const stateText = item.querySelector('.session-state');
    if (stateText !== null && stateText.textContent !== words) stateText.textContent = words;
  }
  empty.hidden = items.size > 0;
}

/**
 * @param {string} sessionId
 * @param {string} label
 */
function addItem(sessionId, label) {
  const id = `session-${nextId++}`;
  const item = document.createElement('li');
  const name = document.createElement('span');
  name.className = 'session-label';
  name.id = `${id}-label`;
  name.dir = 'auto';
  // Focus lands here when the question under it is answered, so it is not lost.
  name.tabIndex = -1;
  name.textContent = label;
  const state = document.createElement('span');
  state.className = 'session-state';
  const question = document.createElement('div');
  question.className = 'session-question';
  question.id = `${id}-question`;
  question.hidden = true;
  item.append(name, ': ', state, question);
  list.append(item);
  items.set(sessionId, item);
  return item;
}

/**
 * Shows what the session asks, with a button for each answer, or (undefined) that it
 * asks nothing any more.
 * @param {string} sessionId
 * @param {Waiting | undefined} waiting
 */
export function showWaiting(sessionId, waiting) {
  const item = items.get(sessionId);
  const box = item?.querySelector('.session-question');
  const name = item?.querySelector('.session-label');
  if (!(box instanceof HTMLElement) || !(name instanceof HTMLElement)) return;
  const hadFocus = box.contains(document.activeElement);
  box.replaceChildren();
  box.hidden = waiting === undefined;
  if (waiting !== undefined) {
    const text = document.createElement('p');
    text.id = `${box.id}-text`;
    const words = document.createElement('bdi');
    words.lang = waiting.lang;
    words.textContent = waiting.text;
    text.append(waiting.prefix, words);
    const group = document.createElement('div');
    group.className = 'actions';
    group.setAttribute('role', 'group');
    // Named by the session and what it asks: "Accept" alone would not say to what.
    group.setAttribute('aria-labelledby', `${name.id} ${text.id}`);
    for (const { label, run } of waiting.actions) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.addEventListener('click', () => void run());
      group.append(button);
    }
    box.append(text, group);
  }
  if (hadFocus) name.focus();
}
