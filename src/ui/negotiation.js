// @ts-check
/**
 * The page's subscription handshake (AAEP spec chapter 5): it asks, before its stream
 * opens, for the browser's languages and the verbosity switch's setting, and
 * renegotiates when either changes. A server without the handshake gets a plain stream.
 */
import { SUBSCRIPTIONS_URL, post } from './page.js';
import { currentVerbosity } from './verbosity.js';

const AAEP_VERSION = '1.0.0';
// The protocol's language tag shape (src/protocol/envelope.ts) and its limit of 32 tags.
const LANGUAGE_TAG = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
const MAX_LANGUAGES = 32;
// Whether the producer offers one of the browser's languages: a renegotiation must not ask
// again for a list it rejected, or the producer ends the subscription.
let askLanguages = true;

/**
 * What the page learnt from the handshake.
 * @typedef {object} Negotiated
 * @property {string | undefined} id the subscription id, undefined for a plain stream
 * @property {string | undefined} language the language of the producer's phrases, when it said
 * @property {string | undefined} note what the user should know (none of their languages offered)
 */

/** @returns {string[]} */
export function browserLanguages() {
  const tags = navigator.languages?.length ? navigator.languages : [navigator.language];
  return [...new Set(tags.filter((tag) => typeof tag === 'string' && LANGUAGE_TAG.test(tag)))].slice(0, MAX_LANGUAGES);
}

/** @param {boolean} withLanguages */
function capabilities(withLanguages) {
  const languages = browserLanguages();
  // It answers both kinds of question (spec §5.3.1.4: a subscriber that declares neither is not sent them).
  return {
    preferred_verbosity: currentVerbosity(),
    supports_confirmation_reply: true,
    supports_clarification_reply: true,
    ...(withLanguages && languages.length > 0 ? { languages } : {}),
  };
}

/**
 * @param {unknown} answer
 * @returns {string | undefined}
 */
function languageOf(answer) {
  const honored = /** @type {{ honored_capabilities?: { languages?: unknown } }} */ (answer).honored_capabilities;
  return Array.isArray(honored?.languages) && typeof honored.languages[0] === 'string' ? honored.languages[0] : undefined;
}

/** @param {boolean} withLanguages */
async function request(withLanguages) {
  const response = await post(SUBSCRIPTIONS_URL, {
    type: 'subscription.request',
    aaep_version: AAEP_VERSION,
    subscriber_id: 'aaep-otel-web',
    subscriber_name: 'aaep-otel web page',
    capabilities: capabilities(withLanguages),
  });
  /** @type {unknown} */
  const answer = await response.json().catch(() => undefined);
  return { status: response.status, answer: /** @type {{ type?: unknown, subscription_id?: unknown, reason_code?: unknown }} */ (answer ?? {}) };
}

/** @returns {Promise<Negotiated>} */
export async function negotiate() {
  try {
    askLanguages = true;
    let { status, answer } = await request(true);
    let note;
    if (answer.type === 'subscription.rejected' && answer.reason_code === 'capabilities_incompatible') {
      askLanguages = false;
      // None of the browser's languages is offered: the producer's own language beats no stream.
      ({ status, answer } = await request(false));
      note = 'None of your browser’s languages is offered here, so the agent’s status phrases are in English.';
    }
    if (status === 201 && answer.type === 'subscription.accepted' && typeof answer.subscription_id === 'string') {
      return { id: answer.subscription_id, language: languageOf(answer), note };
    }
  } catch {
    // No handshake here (an older server) or no connection yet: the plain stream will tell.
  }
  return { id: undefined, language: undefined, note: undefined };
}

/**
 * New terms for an open subscription: its language list and verbosity as they are now.
 * @param {string} id
 * @returns {Promise<string | undefined>} the language now used, when the producer said
 */
export async function renegotiate(id) {
  try {
    const response = await post(SUBSCRIPTIONS_URL, { type: 'subscription.renegotiate', subscription_id: id, capabilities: capabilities(askLanguages) });
    /** @type {unknown} */
    const answer = await response.json().catch(() => undefined);
    return response.ok && answer !== undefined ? languageOf(answer) : undefined;
  } catch {
    return undefined;
  }
}
