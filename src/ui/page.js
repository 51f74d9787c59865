// @ts-check
/**
 * What every part of the web subscriber shares: the event type it reads, its page
 * elements, and where it talks to (all same-origin, beside the page).
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
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T }} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`aaep-ui: #${id} is missing from the page`);
  return element;
}

// Relative to the page (…/aaep/ui), so the page works wherever the router is mounted.
export const EVENTS_URL = new URL('v1/events', location.href);
export const REPLIES_URL = new URL('v1/replies', location.href);
export const MESSAGES_URL = new URL('v1/messages', location.href);
export const SUBSCRIPTIONS_URL = new URL('v1/subscriptions', location.href);

// Replies name the subscription that heard the question: the negotiated one once there is one.
export let subscriptionId = `sub_web${Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;

/** @param {string} id */
export function useSubscriptionId(id) {
  subscriptionId = id;
}
export const PAGE_LANG = document.documentElement.lang || 'en';

/**
 * @param {URL} url
 * @param {unknown} body
 */
export function post(url, body) {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}
