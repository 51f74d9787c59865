// @ts-check
/** Saying things: ARIA live regions for what is announced, and the event log for what was. */
import { PAGE_LANG, byId } from './page.js';

const log = byId('log', HTMLOListElement);
const logRegion = byId('log-region', HTMLElement);
const logEmpty = byId('log-empty', HTMLElement);
const MAX_LOG_ITEMS = 500;

/** @type {HTMLDialogElement | undefined} */
let openDialog;

/** @param {HTMLDialogElement | undefined} dialog the modal dialog now shown, if any */
export function setOpenDialog(dialog) {
  openDialog = dialog;
}

/**
 * Speaks `text` through a live region. While a modal dialog is open the rest of the page
 * is inert (hidden from assistive technology), so the dialog's own regions speak.
 * @param {string} text
 * With `label` (while several sessions are open) it says which session speaks first.
 * @param {{ lang?: string, assertive?: boolean, label?: string | undefined }} [how]
 */
export function announce(text, { lang = PAGE_LANG, assertive = false, label } = {}) {
  const region = openDialog
    ? openDialog.querySelector(assertive ? '.live-assertive' : '.live-polite')
    : document.getElementById(assertive ? 'live-assertive' : 'live-polite');
  if (!(region instanceof HTMLElement)) return;
  const line = document.createElement('p');
  line.lang = lang;
  line.dir = 'auto';
  line.textContent = label === undefined ? text : `${label}: ${text}`;
  region.append(line);
  // Added nodes are what is read; old ones only need to go.
  while (region.childElementCount > 3) region.firstElementChild?.remove();
}

/**
 * @param {string} text
 * @param {{ lang?: string, critical?: boolean, label?: string | undefined }} [how]
 * @returns {HTMLLIElement}
 */
export function logItem(text, { lang = PAGE_LANG, critical = false, label } = {}) {
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
  if (label !== undefined) {
    const session = document.createElement('span');
    session.className = 'session';
    session.dir = 'auto';
    session.textContent = `${label}: `;
    item.append(session);
  }
  item.append(body, ' ', time);
  log.append(item);
  logEmpty.hidden = true;
  while (log.childElementCount > MAX_LOG_ITEMS) log.firstElementChild?.remove();
  if (atEnd) logRegion.scrollTop = logRegion.scrollHeight;
  return item;
}
