/**
 * The "model" of the reference agent: plain rules, no network, no API key, no
 * randomness. `plan()` reads the user's message and returns the steps a real
 * model would take; the runner executes them inside OpenTelemetry spans.
 *
 * The last `say` step of a plan is a placeholder whenever the plan runs a tool
 * or asks for a confirmation: the runner then says `answerAfter(...)` instead,
 * built from the real tool results or the user's decision. Plans without tools
 * or confirmations (general answers, hand-offs) are said exactly as planned.
 *
 * Secrets: a credential in the message is cut out before anything else looks
 * at the text, so it can only reach the `secret` argument of `store_credential`.
 */

export type RiskLevel = 'low' | 'medium' | 'high';

export interface ToolCall {
  /** snake_case tool name; must match /^[A-Za-z_][A-Za-z0-9_.-]*$/ */
  name: string;
  /** JSON-serialisable arguments, as a model would pass them */
  args: Record<string, unknown>;
  /** one short human sentence of what the tool does, e.g. "Searching the web for 'flights to Oslo'" */
  summary: string;
}

export type Step =
  | { kind: 'think' } // a model call that decides what to do (no output)
  | { kind: 'tool'; call: ToolCall } // a look-up tool with no side effects
  | { kind: 'confirm'; call: ToolCall; action: string; consequence: string; risk: RiskLevel; irreversible: boolean } // ask first, run the tool only on accept
  | { kind: 'clarify'; question: string; options?: { value: string; label: string }[]; freeText: boolean; slot: string } // ask the user; the answer fills `slot`
  | { kind: 'handoff'; reason: string; targetKind: 'human' | 'specialist_agent' | 'escalation_queue'; summary: string }
  | { kind: 'progress_task'; description: string; steps: string[] } // a long task reported step by step
  | { kind: 'say'; text: string }; // the model streams this answer text (1-3 short sentences)

export interface Plan {
  intent: string;
  steps: Step[];
}

/** What the runner says instead of any credential. */
const HIDDEN = 'a credential (hidden)';

// ---------------------------------------------------------------------------
// Tools: small, deterministic local implementations.
// ---------------------------------------------------------------------------

type Forecast = [forecast: string, highC: number, lowC: number];

const FORECASTS: Record<string, { today: Forecast; tomorrow: Forecast }> = {
  Oslo: { today: ['cloudy', 1, -4], tomorrow: ['light snow', -1, -6] },
  Bergen: { today: ['rain', 6, 3], tomorrow: ['showers', 7, 4] },
  London: { today: ['rain', 9, 5], tomorrow: ['overcast', 11, 6] },
  Paris: { today: ['sunny', 14, 6], tomorrow: ['partly cloudy', 13, 7] },
  Lagos: { today: ['thunderstorms', 31, 24], tomorrow: ['sunny', 32, 25] },
  Nairobi: { today: ['partly cloudy', 25, 13], tomorrow: ['light rain', 23, 14] },
  Tokyo: { today: ['clear', 12, 4], tomorrow: ['cloudy', 10, 5] },
  'New York': { today: ['windy', 8, 1], tomorrow: ['sunny', 10, 2] },
};

type Agenda = { time: string; title: string }[];

const AGENDA: Record<string, Agenda> = {
  today: [{ time: '09:00', title: 'Stand-up' }, { time: '13:00', title: 'Lunch with Ada' }],
  tomorrow: [{ time: '10:00', title: 'Design review' }, { time: '15:30', title: 'One-to-one with Grace' }],
  monday: [{ time: '09:00', title: 'Weekly planning' }],
  tuesday: [{ time: '11:00', title: 'Accessibility testing' }],
  wednesday: [{ time: '14:00', title: 'Screen reader user interviews' }],
  thursday: [{ time: '10:00', title: 'Release review' }],
  friday: [{ time: '16:00', title: 'Demo hour' }],
  saturday: [],
  sunday: [],
};

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');

/** A small FNV-1a hash, so ids and made-up details are stable for the same arguments. */
function hash(args: Record<string, unknown>): number {
  let h = 0x811c9dc5;
  for (const char of JSON.stringify(args)) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const idFor = (prefix: string, args: Record<string, unknown>): string => `${prefix}_${1000 + (hash(args) % 9000)}`;

function required(args: Record<string, unknown>, key: string, tool: string): string {
  const value = str(args[key]);
  if (!value) throw new Error(`${tool} needs '${key}'`);
  return value;
}

export const TOOLS: Record<string, { description: string; run(args: Record<string, unknown>): unknown }> = {
  get_weather: {
    description: 'Forecast for a city, today or tomorrow.',
    run(args) {
      const city = knownCity(str(args.city));
      const day = str(args.day) === 'tomorrow' ? 'tomorrow' : 'today';
      const entry = city ? FORECASTS[city] : undefined;
      if (!city || !entry) throw new Error(`No forecast for ${str(args.city) || 'an unnamed city'}`);
      const [forecast, high_c, low_c] = entry[day];
      return { city, day, forecast, high_c, low_c };
    },
  },
  web_search: {
    description: 'Searches the web (three made-up results).',
    run(args) {
      const query = required(args, 'query', 'web_search');
      const slug = query.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
      return {
        query,
        results: [
          { title: `${capitalise(query)}: the complete guide`, url: `https://example.com/guide/${slug}` },
          { title: `${capitalise(query)}, compared`, url: `https://example.org/compare/${slug}` },
          { title: `Questions people ask about ${query}`, url: `https://example.net/faq/${slug}` },
        ],
      };
    },
  },
  calendar_lookup: {
    description: "Your agenda for today, tomorrow or a weekday.",
    run(args) {
      const day = str(args.day).toLowerCase() || 'today';
      const events = AGENDA[day];
      if (!events) throw new Error(`No calendar for ${day}`);
      return { day, events };
    },
  },
  send_email: {
    description: 'Sends an email.',
    run(args) {
      const to = required(args, 'to', 'send_email');
      return { sent: true, to, id: idFor('msg', args) };
    },
  },
  book_meeting_room: {
    description: 'Books a meeting room.',
    run(args) {
      const time = required(args, 'time', 'book_meeting_room');
      const rooms = ['Fjord', 'Glacier', 'Aurora'];
      return { booked: true, room: rooms[hash(args) % rooms.length], time, id: idFor('room', args) };
    },
  },
  post_message: {
    description: 'Posts a message to a chat channel.',
    run(args) {
      const channel = required(args, 'channel', 'post_message');
      required(args, 'text', 'post_message');
      return { posted: true, channel, id: idFor('post', args) };
    },
  },
  delete_record: {
    description: 'Deletes a record for good.',
    run(args) {
      const record_id = required(args, 'record_id', 'delete_record');
      return { deleted: true, record_id, id: idFor('del', args) };
    },
  },
  transfer_money: {
    description: 'Transfers money to someone.',
    run(args) {
      const to = required(args, 'to', 'transfer_money');
      const amount = Number(args.amount);
      if (!(amount > 0)) throw new Error('transfer_money needs a positive amount');
      return { transferred: true, amount, currency: str(args.currency) || 'NOK', to, id: idFor('txn', args) };
    },
  },
  generate_report: {
    description: 'Generates a report (the long task).',
    run(args) {
      const kind = str(args.kind) || 'full';
      return { ready: true, title: `${capitalise(kind)} report`, pages: 8 + (hash(args) % 8), id: idFor('rep', args) };
    },
  },
  store_credential: {
    description: 'Stores a credential in the vault.',
    run(args) {
      required(args, 'secret', 'store_credential');
      // The result says only that it was stored; the id is a hash, never the value.
      return { stored: true, id: idFor('cred', args) };
    },
  },
};

// ---------------------------------------------------------------------------
// Secrets: find them and cut them out of the text before planning.
// ---------------------------------------------------------------------------

// "api_key=sk-…", "password: hunter2", "my token is abc123", "password hunter2". Without "=", ":"
// or "is" the value needs a digit or symbol, so "the secret of happiness" stays a question.
const NAMED_SECRET_RE =
  /\b(?:my\s+|the\s+|your\s+)?[\w-]*(?:api[_ -]?key|apikey|access[_ -]?key|password|passwd|passcode|pwd|token|secret)\b(?:\s*[=:]\s*|\s+is\s+|\s+(?=[^\s,;]*[\d_@#$%^&*+=!-]))([^\s,;]+)/gi;
// Well-known token shapes that need no name in front of them.
const BARE_SECRET_RE = /\b(?:sk|rk)[-_][A-Za-z0-9_-]{8,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bAKIA[A-Z0-9]{16}\b/g;

function extractSecrets(message: string): { clean: string; secrets: string[] } {
  const secrets: string[] = [];
  const clean = message
    .replace(NAMED_SECRET_RE, (_whole, value: string) => {
      secrets.push(value.replace(/[.?]+$/, ''));
      return HIDDEN;
    })
    .replace(BARE_SECRET_RE, (value) => {
      secrets.push(value);
      return HIDDEN;
    });
  return { clean, secrets };
}

// ---------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------

interface Ctx {
  /** the message with secrets cut out, original case */
  text: string;
  lower: string;
  slots: Record<string, string>;
  secrets: string[];
}

const CITY_OPTIONS = ['Oslo', 'Bergen', 'London', 'Paris', 'Tokyo'].map((city) => ({ value: city, label: city }));
const TIME_OPTIONS = ['9am', '11am', '2pm', '4pm'].map((time) => ({ value: time, label: time }));
const CHANNEL_OPTIONS = ['#general', '#random', '#team'].map((channel) => ({ value: channel, label: channel }));
const REPORT_STEPS = ['Gathering the numbers', 'Checking the figures', 'Drawing the charts', 'Writing the summary', 'Formatting the pages'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export function plan(message: string, slots: Record<string, string> = {}): Plan {
  const { clean, secrets } = extractSecrets(message);
  const text = clean.replace(/\s+/g, ' ').trim();
  const c: Ctx = { text, lower: text.toLowerCase(), slots, secrets };
  const l = c.lower;

  // Order matters: escalation and explicit actions win over look-ups that share words.
  if (/\b(real person|human being|a human|escalate|escalation)\b|\b(talk|speak|chat)\s+(to|with)\s+(a |an |the |some )?(human|person|someone|support|agent|operator|representative|manager)\b/.test(l)) return handoffPlan(c);
  if (secrets.length > 0 && /\b(store|save|remember|keep|log\s*in|login|sign\s*in|use)\b/.test(l)) return credentialPlan(c);
  if (/\b(generate|prepare|create|make|write|build|produce|compile|run)\b.*\breport\b/.test(l)) return reportPlan(c);
  if (/\b(send|write|compose|draft|drop|shoot)\b.*\be-?mail\b/.test(l) || /^e-?mail\s+\w/.test(l)) return emailPlan(c);
  if (/\b(transfer|wire|pay)\b|\bmoney\b|\bsend\b.*(\d\s*(nok|kr|kroner|usd|dollars?|eur|euros?|gbp|pounds?)\b|[$€£]\s*\d)/.test(l)) return transferPlan(c);
  if (/\b(delete|remove|erase|destroy|wipe)\b.*\brecords?\b/.test(l)) return deletePlan(c);
  if (/\b(book|reserve)\b.*\broom\b/.test(l)) return roomPlan(c);
  if (/\bpost\b|\bmessage\b.*#\w|\bslack\b/.test(l)) return postPlan(c);
  if (/\b(calendar|agenda|schedule|meetings?|appointments?)\b/.test(l)) return calendarPlan(c);
  if (/\b(weather|forecast|rain\w*|snow\w*|sunny|temperature|umbrella)\b/.test(l)) return weatherPlan(c);
  if (/\b(search|look\s*up|google|find)\b/.test(l)) return searchPlan(c);
  // "use the teleporter": a tool that is not in TOOLS, so the runner fails it (the failure demo).
  const gadget = /^(?:please\s+)?(?:use|call|run|invoke|try|activate)\s+(?:the\s+|my\s+|a\s+|an\s+)?([a-z][\w-]*(?:\s+[\w-]+){0,2}?)(?:\s+tool)?[.!?]*$/.exec(l);
  if (gadget?.[1]) {
    const name = gadget[1].replace(/[^a-z0-9]+/g, '_');
    if (!(name in TOOLS)) return lookupPlan('unknown_tool', { name, args: {}, summary: `Using the ${gadget[1]}` }, 'Here is what happened.');
  }
  // A bare credential with nothing else asked of it: keep it safe rather than chat about it.
  if (secrets.length > 0) return credentialPlan(c);
  return { intent: 'general', steps: [{ kind: 'think' }, say(generalAnswer(l))] };
}

function say(text: string): Step {
  return { kind: 'say', text };
}

function ask(intent: string, slot: string, question: string, options?: { value: string; label: string }[]): Plan {
  const step: Step = { kind: 'clarify', question, freeText: true, slot, ...(options ? { options: options.map((o) => ({ ...o })) } : {}) };
  return { intent, steps: [{ kind: 'think' }, step] };
}

function lookupPlan(intent: string, call: ToolCall, placeholder: string): Plan {
  return { intent, steps: [{ kind: 'think' }, { kind: 'tool', call }, say(placeholder)] };
}

/** Actions with consequences: medium risk and reversible, or high risk and irreversible. */
function confirmPlan(intent: string, call: ToolCall, action: string, consequence: string, irreversible: boolean): Plan {
  const risk: RiskLevel = irreversible ? 'high' : 'medium';
  return { intent, steps: [{ kind: 'think' }, { kind: 'confirm', call, action, consequence, risk, irreversible }, say('Done.')] };
}

/** A slot the user filled wins over what the message seemed to say. */
function slotOr(c: Ctx, slot: string, found: string | undefined): string | undefined {
  return c.slots[slot]?.trim() || found?.trim() || undefined;
}

function weatherPlan(c: Ctx): Plan {
  const city = canonicalCity(slotOr(c, 'city', findCity(c.text)));
  if (!city) return ask('weather', 'city', 'Which city should I check the weather for?', CITY_OPTIONS);
  const day = /\btomorrow\b/.test(c.lower) ? 'tomorrow' : 'today';
  return lookupPlan('weather', { name: 'get_weather', args: { city, day }, summary: `Checking the weather in ${city} for ${day}` }, `Here is the weather in ${city}.`);
}

function searchPlan(c: Ctx): Plan {
  const found = /\b(?:search(?:\s+(?:the\s+web|online|the\s+internet))?(?:\s+for)?|look\s*up|google|find(?:\s+me)?)\s+(.+)$/i.exec(c.text)?.[1];
  const query = slotOr(c, 'query', found?.replace(/[?.!]+$/, '').replace(/^(the web|online|the internet)$/i, ''));
  if (!query) return ask('search', 'query', 'What should I search for?');
  return lookupPlan('search', { name: 'web_search', args: { query }, summary: `Searching the web for '${query}'` }, 'Here is what I found.');
}

function calendarPlan(c: Ctx): Plan {
  const day = new RegExp(`\\b(today|tomorrow|${WEEKDAYS.join('|')})\\b`).exec(c.lower)?.[1] ?? 'today';
  return lookupPlan('calendar', { name: 'calendar_lookup', args: { day }, summary: `Reading your calendar for ${WEEKDAYS.includes(day) ? capitalise(day) : day}` }, 'Here is your calendar.');
}

function emailPlan(c: Ctx): Plan {
  // Split off the body first so "saying hi to Bob" does not make Bob the recipient.
  const parts = /^(.*?)\s*(?:\bsaying\b|\bthat says\b|\bwith the text\b|:)\s*(.*)$/i.exec(c.text);
  const head = parts ? (parts[1] ?? '') : c.text;
  const body = parts?.[2] ?? '';
  const found = /\bto\s+([A-Za-z][\w.@+-]*)/i.exec(head)?.[1] ?? /^e-?mail\s+(?!an?\b|the\b)([A-Za-z][\w.@+-]*)/i.exec(head)?.[1];
  const to = person(slotOr(c, 'recipient', found));
  if (!to) return ask('send_email', 'recipient', 'Who should I send the email to?');
  const text = unquote(body);
  const call = { name: 'send_email', args: { to, body: text }, summary: `Sending an email to ${to}` };
  const consequence = text ? `${to} will receive the email '${text}' right away.` : `${to} will receive your email right away.`;
  return confirmPlan('send_email', call, `Send an email to ${to}`, consequence, false);
}

function roomPlan(c: Ctx): Plan {
  const found = /\b(?:at|for)\s+(\d{1,2}(?::\d{2})?\s*(?:am|pm)?)\b(?!\s*(?:people|persons|guests|hours?|minutes?)\b)/i.exec(c.text)?.[1];
  const time = slotOr(c, 'time', found)?.replace(/\s+/g, '').toLowerCase();
  if (!time) return ask('book_room', 'time', 'What time should I book the meeting room for?', TIME_OPTIONS);
  const call = { name: 'book_meeting_room', args: { time }, summary: `Booking a meeting room for ${time}` };
  return confirmPlan('book_room', call, `Book a meeting room for ${time}`, `A meeting room will be reserved in your name at ${time}; you can cancel it later.`, false);
}

function postPlan(c: Ctx): Plan {
  const foundChannel = /#[\w-]+/.exec(c.text)?.[0] ?? /\b(?:to|in|on)\s+(?:the\s+)?([\w-]+)\s+channel\b/i.exec(c.text)?.[1];
  const slotChannel = slotOr(c, 'channel', foundChannel);
  const channel = slotChannel ? `#${slotChannel.replace(/^#/, '').toLowerCase()}` : undefined;
  if (!channel) return ask('post_message', 'channel', 'Which channel should I post to?', CHANNEL_OPTIONS);
  const found = /(?::|\bsaying\b|\bthat says\b)\s*(.+)$/i.exec(c.text)?.[1];
  const text = unquote(slotOr(c, 'text', found) ?? '');
  if (!text) return ask('post_message', 'text', 'What should the message say?');
  const call = { name: 'post_message', args: { channel, text }, summary: `Posting a message to ${channel}` };
  return confirmPlan('post_message', call, `Post a message to ${channel}`, `Everyone in ${channel} will see '${text}'.`, false);
}

function deletePlan(c: Ctx): Plan {
  const found = /\brecords?\s+(?:#|number\s+|no\.?\s*|id\s+)?([\w-]*\d[\w-]*)/i.exec(c.text)?.[1];
  const id = slotOr(c, 'record_id', found)?.replace(/^#/, '');
  if (!id) return ask('delete_record', 'record_id', 'Which record should I delete?');
  const call = { name: 'delete_record', args: { record_id: id }, summary: `Deleting record ${id}` };
  return confirmPlan('delete_record', call, `Delete record ${id}`, `Record ${id} will be deleted for good; this cannot be undone.`, true);
}

const CURRENCIES: [RegExp, string][] = [
  [/^(nok|kr|kroner|krone)$/, 'NOK'], [/^(usd|dollars?|\$)$/, 'USD'], [/^(eur|euros?|€)$/, 'EUR'],
  [/^(gbp|pounds?|£)$/, 'GBP'], [/^sek$/, 'SEK'], [/^dkk$/, 'DKK'],
];
const AMOUNT_RE = /([$€£])?\s*(\d+(?:[.,]\d{1,2})?)\s*(nok|kroner|krone|kr|usd|dollars?|eur|euros?|gbp|pounds?|sek|dkk)?\b/i;

function transferPlan(c: Ctx): Plan {
  const money = AMOUNT_RE.exec(c.slots.amount ?? '') ?? AMOUNT_RE.exec(c.text);
  if (!money?.[2]) return ask('transfer_money', 'amount', 'How much should I transfer?');
  const amount = Number(money[2].replace(',', '.'));
  const unit = (money[1] ?? money[3] ?? 'nok').toLowerCase();
  const currency = CURRENCIES.find(([re]) => re.test(unit))?.[1] ?? 'NOK';
  const found = /\bto\s+([A-Za-z][\w.-]*)/i.exec(c.text)?.[1] ?? /\bpay\s+(?!\d)([A-Za-z]\w*)/i.exec(c.text)?.[1];
  const to = person(slotOr(c, 'recipient', found));
  if (!to) return ask('transfer_money', 'recipient', 'Who should receive the money?');
  const call = { name: 'transfer_money', args: { amount, currency, to }, summary: `Transferring ${amount} ${currency} to ${to}` };
  return confirmPlan('transfer_money', call, `Transfer ${amount} ${currency} to ${to}`, `${amount} ${currency} will leave your account for ${to}; this cannot be undone.`, true);
}

function reportPlan(c: Ctx): Plan {
  const kind = /\b(quarterly|monthly|weekly|annual|yearly|daily)\b/.exec(c.lower)?.[1] ?? 'full';
  return {
    intent: 'report',
    steps: [
      { kind: 'think' },
      { kind: 'progress_task', description: `Generating the ${kind} report`, steps: [...REPORT_STEPS] },
      { kind: 'tool', call: { name: 'generate_report', args: { kind }, summary: `Generating the ${kind} report` } },
      say(`Your ${kind} report is ready.`),
    ],
  };
}

function handoffPlan(c: Ctx): Plan {
  const summary = `The user wrote: "${c.text.slice(0, 200)}"`;
  return {
    intent: 'handoff',
    steps: [
      { kind: 'think' },
      { kind: 'handoff', reason: 'The user asked to talk to a person.', targetKind: 'human', summary },
      say('A person from our support team will take over from here.'),
    ],
  };
}

function credentialPlan(c: Ctx): Plan {
  // The secret travels only in the `secret` argument, which span redaction recognises by name.
  const call = { name: 'store_credential', args: { secret: c.secrets[0] }, summary: `Storing ${HIDDEN}` };
  return lookupPlan('store_credential', call, `I stored ${HIDDEN} for you.`);
}

const GENERAL_ANSWERS: [RegExp, string][] = [
  [/\baaep\b/, 'AAEP is the Agent Accessibility Event Protocol. It turns what an agent does into events a screen reader can announce.'],
  [/\bhow are you\b/, "I'm fine, thanks for asking. What can I do for you?"],
  [/\bjoke\b/, 'Why do programmers prefer dark mode? Because light attracts bugs.'],
  [/\b(thanks|thank you)\b/, "You're welcome."],
  [/\b(help|what can you do)\b/, "I can check the weather, search the web, read your calendar and send emails. Try 'weather in Oslo'."],
  [/^(hi|hello|hey)\b/, 'Hello! Ask me about the weather, your calendar or a web search.'],
];

function generalAnswer(lower: string): string {
  const match = GENERAL_ANSWERS.find(([re]) => re.test(lower));
  return match?.[1] ?? "I'm a scripted demo agent, so I only understand simple requests. Try asking about the weather in Oslo.";
}

// ---------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function unquote(text: string): string {
  return text.trim().replace(/^["'“‘]|["'”’.!]+$/g, '').trim();
}

/** "ada" → "Ada"; email addresses stay as typed. */
function person(name: string | undefined): string | undefined {
  return name && !name.includes('@') ? capitalise(name) : name;
}

function knownCity(name: string): string | undefined {
  return Object.keys(FORECASTS).find((city) => city.toLowerCase() === name.toLowerCase());
}

/** Known cities get their usual spelling; unknown places are title-cased (and will fail get_weather). */
function canonicalCity(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return knownCity(name) ?? name.split(/\s+/).map(capitalise).join(' ');
}

function findCity(text: string): string | undefined {
  const known = Object.keys(FORECASTS).find((city) => new RegExp(`\\b${city}\\b`, 'i').test(text));
  if (known) return known;
  // "weather on Mars", "rain in Timbuktu today?": words after in/for/at/on that end the sentence.
  const stripped = text.replace(/\b(today|tomorrow|tonight|this (?:week|weekend|morning|afternoon|evening)|right now|now|please|later)\b/gi, ' ');
  const match = /\b(?:in|for|at|on)\s+(?:the\s+)?([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,2}?)\s*(?:[?.!,]|$)/i.exec(stripped.trim());
  const place = match?.[1];
  return place && !/^(weekend|morning|afternoon|evening|night|week)$/i.test(place) ? place : undefined;
}

function dayPhrase(day: string): string {
  return WEEKDAYS.includes(day) ? `on ${capitalise(day)}` : day;
}

// ---------------------------------------------------------------------------
// Final answers
// ---------------------------------------------------------------------------

const REJECTED: Record<string, string> = {
  send_email: 'OK, I did not send the email.',
  book_room: 'OK, I did not book the room.',
  post_message: 'OK, I did not post the message.',
  delete_record: 'OK, I did not delete the record. It is still there.',
  transfer_money: 'OK, I did not transfer any money.',
};

const fields = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/**
 * The final answer after tools ran or a confirmation was decided: at most two
 * short sentences. `results` holds each tool's return value under its name
 * (e.g. `{ get_weather: {...} }`); `slots` are the user's clarification answers,
 * used when a result lacks a detail.
 */
export function answerAfter(intent: string, results: Record<string, unknown>, slots: Record<string, string>, decision?: 'accept' | 'reject'): string {
  if (decision === 'reject') return REJECTED[intent] ?? 'OK, I did not do that.';
  switch (intent) {
    case 'weather': {
      const r = fields(results.get_weather);
      const city = str(r.city) || slots.city || 'that city';
      return `${capitalise(str(r.day) || 'today')} in ${city}: ${str(r.forecast) || 'no forecast'}, high of ${str(r.high_c) || '?'} °C.`;
    }
    case 'search': {
      const r = fields(results.web_search);
      const hits = Array.isArray(r.results) ? r.results : [];
      const top = str(fields(hits[0]).title);
      const query = str(r.query) || slots.query || 'that';
      return top ? `I found ${hits.length} results for '${query}'. The top one is '${top}'.` : `I found nothing for '${query}'.`;
    }
    case 'calendar': {
      const r = fields(results.calendar_lookup);
      const events = (Array.isArray(r.events) ? r.events : []).map(fields);
      const when = dayPhrase(str(r.day) || 'today');
      const first = events[0];
      if (!first) return `Your calendar is free ${when}.`;
      return `${capitalise(when)} you have ${events.length} ${events.length === 1 ? 'event' : 'events'}. First up: ${str(first.title)} at ${str(first.time)}.`;
    }
    case 'send_email':
      return `Done: your email to ${str(fields(results.send_email).to) || slots.recipient || 'them'} is sent.`;
    case 'book_room': {
      const r = fields(results.book_meeting_room);
      return `Done: meeting room ${str(r.room)} is booked for ${str(r.time) || slots.time || 'you'}.`;
    }
    case 'post_message':
      return `Done: your message is posted in ${str(fields(results.post_message).channel) || slots.channel || 'the channel'}.`;
    case 'delete_record': {
      const id = str(fields(results.delete_record).record_id) || slots.record_id;
      return id ? `Done: record ${id} is deleted.` : 'Done: the record is deleted.';
    }
    case 'transfer_money': {
      const r = fields(results.transfer_money);
      return `Done: ${str(r.amount)} ${str(r.currency)} is on its way to ${str(r.to) || slots.recipient || 'them'}.`;
    }
    case 'report': {
      const r = fields(results.generate_report);
      return `Your ${(str(r.title) || 'report').toLowerCase()} is ready: ${str(r.pages) || 'a few'} pages.`;
    }
    case 'store_credential':
      return `I stored ${HIDDEN} for you.`;
    case 'handoff':
      return 'A person from our support team will take over from here.';
    default:
      return 'Done.';
  }
}
