import { sentence } from '../textShape.js';
import type { AgentState } from '../SessionState.js';
import { duration, formatNumber, list, plural } from './formats.js';
import type { HandoffTarget, Messages } from './Messages.js';

/**
 * German (Deutsch) catalog: every phrase of `en.ts`, as German says it.
 *
 * Form of address: formal "Sie" throughout ("Ihre Anfrage", "Sie haben zugestimmt").
 * Status phrases without a subject use the third person ("Denkt nach.", "Verwendet ein
 * Werkzeug."), as German status lines do. Agent and tool names are never inflected: they
 * stand as the subject of a verb, after a colon, or beside a noun ("das Werkzeug search web"),
 * so no article or gender has to agree with them. Durations are built for the accusative
 * ("Dauer: …", "Sie haben … Zeit"), so `underASecond` is "weniger als eine Sekunde".
 * "Tool" is rendered as "Werkzeug".
 *
 * Awaiting review by a native speaker.
 */

const L = 'de';
const states: Record<AgentState, { terse: string; normal: string }> = {
  idle: { terse: 'Im Leerlauf.', normal: 'Wartet.' },
  thinking: { terse: 'Denkt nach.', normal: 'Denkt über Ihre Anfrage nach.' },
  calling_tool: { terse: 'Verwendet ein Werkzeug.', normal: 'Verwendet ein Werkzeug.' },
  writing_output: { terse: 'Antwortet.', normal: 'Schreibt die Antwort.' },
  awaiting_input: { terse: 'Wartet auf Sie.', normal: 'Wartet auf Ihre Antwort.' },
  deciding: { terse: 'Entscheidet.', normal: 'Entscheidet, wie es weitergeht.' },
  handing_off: { terse: 'Übergabe.', normal: 'Übergibt an jemand anderen.' },
};
/** Accusative: heard after "Übergabe an …" and, as an apposition, after "Übergibt an jemand anderen: …". */
const targets: Record<HandoffTarget, string> = {
  human: 'eine Person',
  specialist_agent: 'einen spezialisierten Agenten',
  escalation_queue: 'die Eskalationswarteschlange',
};
const time = (ms: number) => duration(L, ms, de.underASecond());

/** German. */
export const de: Messages = {
  // --- The session ---
  /** The agent's name when neither the span nor the producer gives one. */
  defaultAgentName: () => 'Der Agent',
  /** session.started summary_terse. */
  started: () => 'Gestartet.',
  /** session.started summary_normal, when the request text is known. */
  workingOnRequest: (agent, request) => `${agent} arbeitet an Ihrer Anfrage: ${request}`,
  /** session.started summary_normal, when it is not. */
  startedWorking: (agent) => `${agent} hat mit der Arbeit begonnen.`,
  /** session.started summary_detailed: the tools the agent may use. */
  canUseTools: (tools) =>
    `${plural(L, tools.length, { one: 'Verfügbares Werkzeug', other: 'Verfügbare Werkzeuge' })}: ${list(L, tools)}.`,
  /** session.started summary_detailed: the conversation id. */
  conversation: (id) => `Unterhaltung ${id}.`,
  /** session.completed summary_terse, and summary_normal without a result summary. */
  done: () => 'Fertig.',
  /** session.completed summary_detailed: how long it took, and how many tools it used. */
  finishedIn: (ms, tools) =>
    `Fertig. Dauer: ${time(ms)}.${tools === 0 ? '' : ` ${plural(L, tools, { one: 'Dabei wurde ein Werkzeug verwendet.', other: 'Dabei wurden # Werkzeuge verwendet.' })}`}`,
  /** session.cancelled summary_terse. */
  cancelled: () => 'Abgebrochen.',
  /** session.cancelled summary_normal, cancelled by the user. */
  cancelledByYou: () => 'Auf Ihren Wunsch abgebrochen.',
  /** session.cancelled summary_normal, cancelled by anyone else. */
  stoppedBeforeFinishing: (agent) => `${agent} hat aufgehört, bevor die Arbeit fertig war.`,
  /** session.cancelled summary_terse, when the service shuts down. */
  stopped: () => 'Angehalten.',
  /** session.cancelled summary_normal, when the service shuts down. */
  shuttingDown: (agent) => `${agent} wurde angehalten, weil der Dienst heruntergefahren wird.`,
  /** session.errored summary_terse. */
  failed: () => 'Fehlgeschlagen.',
  /** session.errored summary_normal, with the error message. */
  couldNotFinish: (agent, message) => sentence(`${agent} konnte die Arbeit nicht abschließen: ${message}`),
  /** session.errored summary_normal, without one. */
  couldNotFinishError: (agent) => `${agent} konnte die Arbeit wegen eines Fehlers nicht abschließen.`,
  /** session.errored remediation_hint for a transient error the agent gave no hint for. */
  tryAgain: () => 'Versuchen Sie es in einigen Augenblicken erneut.',

  // --- The state machine ---
  /** state.changed summary_terse, per state entered. */
  stateTerse: (state) => states[state].terse,
  /** state.changed summary_normal without a more specific summary. */
  stateNormal: (state) => states[state].normal,
  /** state.changed summary_detailed: the state, then what it is about (a tool, a question, a model…). */
  stateActivity: (state, activity) => sentence(`${states[state].normal.replace(/\.$/, '')}: ${activity}`),
  /** Inside stateActivity when a model call starts: its model. */
  model: (model) => `Modell ${model}`,

  // --- Tools ---
  /** tool.invoked summary_terse, and summary_normal without arguments. */
  using: (tool) => sentence(`Verwendet das Werkzeug ${tool}`),
  /** tool.invoked summary_normal with a summary of the arguments. */
  usingWith: (tool, args) => sentence(`Verwendet das Werkzeug ${tool}, ${args}`),
  /** tool.completed summary_terse, success. */
  toolDone: (tool) => sentence(`${tool} erledigt`),
  /** tool.completed summary_normal, success, with and without a result summary. */
  toolFinished: (tool, result) => (result ? sentence(`${tool} abgeschlossen: ${result}`) : sentence(`${tool} abgeschlossen`)),
  /** tool.completed summary_terse, timed out. */
  toolTimedOut: (tool) => sentence(`${tool}: Zeitüberschreitung`),
  /** tool.completed summary_normal, timed out. */
  toolNoAnswer: (tool) => sentence(`${tool} hat nicht rechtzeitig geantwortet`),
  /** tool.completed summary_terse, and summary_normal with or without the error message, failed. */
  toolFailed: (tool, message) => (message ? sentence(`${tool} fehlgeschlagen: ${message}`) : sentence(`${tool} fehlgeschlagen`)),
  /** tool.completed summary_detailed: the normal summary, then how long the call took. */
  toolTook: (normal, ms) => `${normal} Dauer: ${time(ms)}.`,
  /** tool.completed error_message when the tool gave none: timed out. */
  timedOut: () => 'Zeitüberschreitung.',
  /** tool.completed error_message when the tool gave none: failed. */
  toolFailedMessage: () => 'Fehlgeschlagen.',
  /** tool.completed summary_terse of a call still running when its session ended. */
  toolAbandoned: (tool) => sentence(`${tool} abgebrochen`),
  /** …its summary_normal. */
  toolUnfinished: (tool) => sentence(`${tool} wurde vor dem Ende der Sitzung nicht fertig`),
  /** …its error_message. */
  abandonedMessage: () => 'Beim Ende der Sitzung abgebrochen.',
  /** tool.completed summary_terse of a call a model announced that never ran. */
  toolNotRun: (tool) => sentence(`${tool} nicht ausgeführt`),
  /** …its summary_normal. */
  toolNotRunBeforeEnd: (tool) => sentence(`${tool} wurde vor dem Ende der Sitzung nicht ausgeführt`),
  /** …its error_message. */
  notRunMessage: () => 'Vor dem Ende der Sitzung nicht ausgeführt.',
  /** Arguments and results (args_summary, "Using …, …"): a list value, by its length. */
  items: (count) => plural(L, count, { one: 'ein Eintrag', other: '# Einträge' }),
  /** …an object value, by its number of fields. */
  details: (count) => plural(L, count, { one: 'eine Angabe', other: '# Angaben' }),
  /** …the fields not listed. */
  andMore: (count) => plural(L, count, { one: 'und eine weitere Angabe', other: 'und # weitere Angaben' }),
  /** …in place of fields whose names say they hold a secret. */
  hiddenCredential: () => 'Zugangsdaten (verborgen)',

  // --- Confirmations ---
  /** awaiting.confirmation consequence when the agent gives none. */
  defaultConsequence: () => 'Der Agent führt es dann aus.',
  /** awaiting.confirmation summary_terse. */
  confirmShort: (action) => sentence(`Bestätigen: ${action}?`.replace(/\?\.$/, '?')),
  /** awaiting.confirmation summary_normal: the action, its consequence, and whether it can be undone. */
  confirmationNeeded: (action, consequence, irreversible) =>
    `Bestätigung erforderlich: ${sentence(action)} ${sentence(consequence)}${irreversible ? ' Dies kann nicht rückgängig gemacht werden.' : ''}`,
  /** awaiting.confirmation summary_detailed: the above, then the time left and what happens without an answer. */
  confirmationDeadline: (normal, secondsLeft, defaultDecision) =>
    `${normal} Sie haben ${time(secondsLeft * 1000)} Zeit zum Antworten. Ohne Antwort ${defaultDecision === 'reject' ? 'wird es nicht ausgeführt' : 'wird es ausgeführt'}.`,
  /** state.changed summary_normal after an accepted confirmation: by the user, or by default at the deadline. */
  accepted: (action, byTimeout) =>
    sentence(`${byTimeout ? 'Keine Antwort erhalten, daher wird es wie vorgesehen ausgeführt' : 'Sie haben zugestimmt'}: ${action}`),
  /** state.changed summary_normal after a rejected confirmation: at the deadline, cancelled, or declined. */
  rejected: (action, by) =>
    sentence(
      `${by === 'timeout' ? 'Keine rechtzeitige Antwort, daher wird es nicht ausgeführt' : by === 'cancelled' ? 'Abgebrochen, daher wird es nicht ausgeführt' : 'Sie haben abgelehnt, daher wird es nicht ausgeführt'}: ${action}`,
    ),

  // --- Clarifications ---
  /** awaiting.clarification summary_normal: the question, and its options when there are two or more. */
  question: (question, options) =>
    `Frage: ${question}${options.length >= 2 ? ` Antwortmöglichkeiten: ${list(L, options, 'or')}.` : ''}`,
  /** awaiting.clarification summary_detailed: the above, its context, and the time left. */
  questionDeadline: (normal, context, secondsLeft) =>
    `${normal}${context !== undefined ? ` ${sentence(context)}` : ''} Sie haben ${time(secondsLeft * 1000)} Zeit zum Antworten.`,
  /** state.changed summary_normal after the user answered (an empty answer: "nothing"). */
  youAnswered: (answer) => (answer === undefined ? 'Sie haben nichts geantwortet.' : sentence(`Sie haben geantwortet: ${answer}`)),
  /** state.changed summary_normal after the question was cancelled. */
  questionCancelled: () => 'Die Frage wurde abgebrochen.',
  /** state.changed summary_normal after the deadline, with the default answer. */
  noAnswerDefault: (answer) => sentence(`Keine rechtzeitige Antwort, daher gilt die Vorgabe: ${answer}`),
  /** …without one. */
  noAnswer: () => 'Keine rechtzeitige Antwort; es geht ohne Antwort weiter.',

  // --- Hand-off and progress ---
  /** handoff.requested, and its state.changed summary_detailed: who takes over. */
  handoffTarget: (target) => targets[target],
  /** handoff.requested summary_terse, and summary_normal without the agent's summary. */
  handingOverTo: (who) => sentence(`Übergabe an ${who}`),
  /** progress.updated: how far, as a percentage. */
  percent: (percent) => `${formatNumber(L, Math.round(percent))} Prozent`,
  /** …as a step (of a total). */
  step: (step, total) =>
    total !== undefined ? `Schritt ${formatNumber(L, step)} von ${formatNumber(L, total)}` : `Schritt ${formatNumber(L, step)}`,
  /** progress.updated summary_normal: the agent's description and the amount. */
  progressNormal: (description, amount) => sentence([description, amount].filter(Boolean).join(', ') || 'Es geht voran'),
  /** progress.updated reminder while a confirmation waits (its description, before the amount). */
  secondsLeftToConfirm: (seconds, action) => `Noch ${plural(L, seconds, { one: 'eine Sekunde', other: '# Sekunden' })} zum Bestätigen: ${action}`,
  /** …while a question waits. */
  secondsLeftToAnswer: (seconds, question) => `Noch ${plural(L, seconds, { one: 'eine Sekunde', other: '# Sekunden' })} zum Antworten: ${question}`,

  // --- A session whose translating service stopped ---
  /** tool.completed summary_normal of a tool still running when another receiver ends the session. */
  orphanedToolNormal: () => 'Das Werkzeug hat sich nicht zurückgemeldet: Der Dienst, der es verfolgte, wurde neu gestartet.',
  /** …its error_message. */
  orphanedToolMessage: () => 'Abgebrochen, als der Dienst anhielt, der diese Sitzung übersetzte.',
  /** session.errored summary_terse when another receiver ends the session. */
  serviceRestarted: () => 'Dienst neu gestartet.',
  /** …its summary_normal. */
  sessionUnfollowable: () => 'Diese Sitzung kann nicht mehr verfolgt werden: Der Dienst, der sie übersetzte, wurde neu gestartet. Der Agent arbeitet möglicherweise noch.',
  /** progress.updated summary_terse: the amount, else this. */
  progressTerse: (amount) => sentence(amount ?? 'Fortschritt'),

  // --- Durations ---
  /** Inside any phrase with a duration ("Finished in …", "It took …", "Answer within …"). */
  underASecond: () => 'weniger als eine Sekunde',
};
