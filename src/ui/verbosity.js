// @ts-check
/** The verbosity switch ("How much to announce", remembered) and the words it picks for an event. */
import { PAGE_LANG, byId } from './page.js';

/** @typedef {import('./page.js').Verbosity} Verbosity */
/** @typedef {import('./page.js').AaepEvent} AaepEvent */

const settings = byId('settings', HTMLFormElement);
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
/** @type {Set<() => void>} */
const changeListeners = new Set();
// The language the producer said its phrases are in (negotiated), else the page's.
let phraseLanguage = PAGE_LANG;
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
  for (const listener of changeListeners) listener();
});
settings.addEventListener('submit', (event) => event.preventDefault());

/**
 * The summary for the chosen verbosity, else the nearest one, else words from the event.
 * @param {AaepEvent} event
 * @returns {string}
 */
export function summaryOf(event) {
  const { summary_terse: terse, summary_normal: normal, summary_detailed: detailed } = event;
  const order = verbosity === 'terse' ? [terse, normal, detailed] : verbosity === 'detailed' ? [detailed, normal, terse] : [normal, terse, detailed];
  for (const text of order) if (typeof text === 'string' && text.trim() !== '') return text;
  const fallback = event.progress?.description ?? event.question ?? event.action ?? event.reason ?? event.to_state;
  return (fallback ?? event.type.replace(/^aaep:agent\./, '')).replace(/[._]/g, ' ');
}

/** @param {AaepEvent} event */
export const langOf = (event) => event.language ?? event.localization_hints?.primary_language ?? phraseLanguage;

/** @param {string | undefined} language the negotiated language of the producer's phrases */
export function usePhraseLanguage(language) {
  phraseLanguage = language ?? PAGE_LANG;
}

/** @param {() => void} listener called after the user changes the verbosity */
export const onVerbosityChange = (listener) => changeListeners.add(listener);

/** @returns {Verbosity} */
export const currentVerbosity = () => verbosity;
