// @ts-check
/** Fills the confirmation and question dialogs with what the agent asks. */
import { byId } from './page.js';
import { summaryOf } from './verbosity.js';

/** @typedef {import('./questions.js').Question} Question */
/** @typedef {{ decision: 'accept' | 'reject' } | { response: string | number | boolean }} Answer */

const clarifyChoices = byId('clarify-choices', HTMLElement);
const clarifyForm = byId('clarify-form', HTMLFormElement);
const clarifyText = byId('clarify-text', HTMLInputElement);
const clarifyError = byId('clarify-error', HTMLElement);


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
export function fillConfirmation({ event, lang }) {
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

/**
 * @param {Question} question
 * @param {(answer: Answer) => unknown} answer sends a choice the user picked
 * @returns {HTMLElement} the element to focus
 */
export function fillClarification({ event, lang }, answer) {
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
