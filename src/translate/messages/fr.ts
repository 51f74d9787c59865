/**
 * French catalog (fr): every phrase of `Messages`, as a French screen-reader user hears it.
 *
 * - Form of address: formal « vous » throughout.
 * - Agent, tool, action, question and answer texts are never translated, so sentences are built
 *   to need no gender or article agreement with them: « search web : terminé »,
 *   « Utilisation de l'outil : search web », verbs with « avoir » (« a terminé », « a échoué »).
 * - Punctuation follows French typography: a narrow no-break space (U+202F) before « : », « ? » and « ; ».
 * - Counted words give the CLDR `many` form (« 1 000 000 d'éléments ») where French uses « de ».
 *
 * Status: machine-drafted, awaiting review by a native French speaker.
 */
import { sentence } from '../textShape.js';
import type { AgentState } from '../SessionState.js';
import { duration, formatNumber, list, plural } from './formats.js';
import type { HandoffTarget, Messages } from './Messages.js';

const L = 'fr';
/** Narrow no-break space + colon / question mark / semicolon (French typography). */
const colon = '\u202F:';
const qmark = '\u202F?';
const semicolon = '\u202F;';
const states: Record<AgentState, { terse: string; normal: string }> = {
  idle: { terse: 'En veille.', normal: 'En attente.' },
  thinking: { terse: 'Réflexion en cours.', normal: 'Réflexion sur votre demande.' },
  calling_tool: { terse: "Utilisation d'un outil.", normal: "Utilisation d'un outil." },
  writing_output: { terse: 'Réponse en cours.', normal: 'Rédaction de la réponse.' },
  awaiting_input: { terse: 'À vous.', normal: 'En attente de votre réponse.' },
  deciding: { terse: 'Décision en cours.', normal: 'Choix de la prochaine étape.' },
  handing_off: { terse: 'Transfert en cours.', normal: "Transfert à quelqu'un d'autre." },
};
const targets: Record<HandoffTarget, string> = {
  human: 'une personne',
  specialist_agent: 'un agent spécialisé',
  escalation_queue: "la file d'escalade",
};
const time = (ms: number) => duration(L, ms, fr.underASecond());

/** French: the translation of `en.ts`, phrase by phrase. */
export const fr: Messages = {
  // --- The session ---
  /** The agent's name when neither the span nor the producer gives one. */
  defaultAgentName: () => "L'agent",
  /** session.started summary_terse. */
  started: () => 'Démarré.',
  /** session.started summary_normal, when the request text is known. */
  workingOnRequest: (agent, request) => `${agent} traite votre demande${colon} ${request}`,
  /** session.started summary_normal, when it is not. */
  startedWorking: (agent) => `${agent} a commencé à travailler.`,
  /** session.started summary_detailed: the tools the agent may use. */
  canUseTools: (tools) => `Outils disponibles${colon} ${list(L, tools)}.`,
  /** session.started summary_detailed: the conversation id. */
  conversation: (id) => `Conversation ${id}.`,
  /** session.completed summary_terse, and summary_normal without a result summary. */
  done: () => 'Terminé.',
  /** session.completed summary_detailed: how long it took, and how many tools it used. */
  finishedIn: (ms, tools) =>
    `Terminé en ${time(ms)}.${tools === 0 ? '' : ` ${plural(L, tools, { one: '# outil utilisé', many: "# d'outils utilisés", other: '# outils utilisés' })}.`}`,
  /** session.cancelled summary_terse. */
  cancelled: () => 'Annulé.',
  /** session.cancelled summary_normal, cancelled by the user. */
  cancelledByYou: () => 'Annulé à votre demande.',
  /** session.cancelled summary_normal, cancelled by anyone else. */
  stoppedBeforeFinishing: (agent) => `${agent} a interrompu son travail avant la fin.`,
  /** session.cancelled summary_terse, when the service shuts down. */
  stopped: () => 'Arrêté.',
  /** session.cancelled summary_normal, when the service shuts down. */
  shuttingDown: (agent) => `${agent} a interrompu son travail, car le service s'arrête.`,
  /** session.errored summary_terse. */
  failed: () => 'Échec.',
  /** session.errored summary_normal, with the error message. */
  couldNotFinish: (agent, message) => sentence(`${agent} n'a pas pu terminer${colon} ${message}`),
  /** session.errored summary_normal, without one. */
  couldNotFinishError: (agent) => `${agent} n'a pas pu terminer à cause d'une erreur.`,
  /** session.errored remediation_hint for a transient error the agent gave no hint for. */
  tryAgain: () => 'Réessayez dans quelques instants.',

  // --- The state machine ---
  /** state.changed summary_terse, per state entered. */
  stateTerse: (state) => states[state].terse,
  /** state.changed summary_normal without a more specific summary. */
  stateNormal: (state) => states[state].normal,
  /** state.changed summary_detailed: the state, then what it is about (a tool, a question, a model…). */
  stateActivity: (state, activity) => sentence(`${states[state].normal.replace(/\.$/, '')}${colon} ${activity}`),
  /** Inside stateActivity when a model call starts: its model. */
  model: (model) => `modèle ${model}`,

  // --- Tools ---
  /** tool.invoked summary_terse, and summary_normal without arguments. */
  using: (tool) => sentence(`Utilisation de l'outil${colon} ${tool}`),
  /** tool.invoked summary_normal with a summary of the arguments. */
  usingWith: (tool, args) => sentence(`Utilisation de l'outil${colon} ${tool}, ${args}`),
  /** tool.completed summary_terse, success. */
  toolDone: (tool) => sentence(`${tool}${colon} terminé`),
  /** tool.completed summary_normal, success, with and without a result summary. */
  toolFinished: (tool, result) => (result ? sentence(`${tool} a terminé${colon} ${result}`) : sentence(`${tool} a terminé`)),
  /** tool.completed summary_terse, timed out. */
  toolTimedOut: (tool) => sentence(`${tool}${colon} délai dépassé`),
  /** tool.completed summary_normal, timed out. */
  toolNoAnswer: (tool) => sentence(`${tool} n'a pas répondu à temps`),
  /** tool.completed summary_terse, and summary_normal with or without the error message, failed. */
  toolFailed: (tool, message) => (message ? sentence(`${tool} a échoué${colon} ${message}`) : sentence(`${tool} a échoué`)),
  /** tool.completed summary_detailed: the normal summary, then how long the call took. */
  toolTook: (normal, ms) => `${normal} L'appel a duré ${time(ms)}.`,
  /** tool.completed error_message when the tool gave none: timed out. */
  timedOut: () => 'Délai dépassé.',
  /** tool.completed error_message when the tool gave none: failed. */
  toolFailedMessage: () => 'Échec.',
  /** tool.completed summary_terse of a call still running when its session ended. */
  toolAbandoned: (tool) => sentence(`${tool}${colon} abandonné`),
  /** …its summary_normal. */
  toolUnfinished: (tool) => sentence(`${tool} n'a pas terminé avant la fin de la session`),
  /** …its error_message. */
  abandonedMessage: () => 'Abandonné à la fin de la session.',
  /** tool.completed summary_terse of a call a model announced that never ran. */
  toolNotRun: (tool) => sentence(`${tool}${colon} non exécuté`),
  /** …its summary_normal. */
  toolNotRunBeforeEnd: (tool) => sentence(`${tool}${colon} non exécuté avant la fin de la session`),
  /** …its error_message. */
  notRunMessage: () => 'Non exécuté avant la fin de la session.',
  /** Arguments and results (args_summary, "Using …, …"): a list value, by its length. */
  items: (count) => plural(L, count, { one: '# élément', many: "# d'éléments", other: '# éléments' }),
  /** …an object value, by its number of fields. */
  details: (count) => plural(L, count, { one: '# détail', many: '# de détails', other: '# détails' }),
  /** …the fields not listed. */
  andMore: (count) => plural(L, count, { one: 'et # autre', many: "et # d'autres", other: 'et # autres' }),
  /** …in place of fields whose names say they hold a secret. */
  hiddenCredential: () => 'un identifiant secret (masqué)',

  // --- Confirmations ---
  /** awaiting.confirmation consequence when the agent gives none. */
  defaultConsequence: () => "L'agent va le faire.",
  /** awaiting.confirmation summary_terse. */
  confirmShort: (action) => sentence(`Confirmer${colon} ${action}${qmark}`.replace(/\?\.$/, '?')),
  /** awaiting.confirmation summary_normal: the action, its consequence, and whether it can be undone. */
  confirmationNeeded: (action, consequence, irreversible) =>
    `Confirmation requise${colon} ${sentence(action)} ${sentence(consequence)}${irreversible ? ' Cette action est irréversible.' : ''}`,
  /** awaiting.confirmation summary_detailed: the above, then the time left and what happens without an answer. */
  confirmationDeadline: (normal, secondsLeft, defaultDecision) =>
    `${normal} Temps restant${colon} ${time(secondsLeft * 1000)}. Sans réponse, l'action ${defaultDecision === 'reject' ? 'ne sera pas effectuée' : 'sera effectuée'}.`,
  /** state.changed summary_normal after an accepted confirmation: by the user, or by default at the deadline. */
  accepted: (action, byTimeout) =>
    sentence(`${byTimeout ? "Pas de réponse, l'action est effectuée par défaut" : 'Vous avez accepté'}${colon} ${action}`),
  /** state.changed summary_normal after a rejected confirmation: at the deadline, cancelled, or declined. */
  rejected: (action, by) =>
    sentence(
      `${by === 'timeout' ? 'Pas de réponse à temps' : by === 'cancelled' ? 'Demande annulée' : 'Vous avez refusé'}, l'action n'est pas effectuée${colon} ${action}`,
    ),

  // --- Clarifications ---
  /** awaiting.clarification summary_normal: the question, and its options when there are two or more. */
  question: (question, options) =>
    `Question${colon} ${question}${options.length >= 2 ? ` Choix possibles${colon} ${list(L, options, 'or')}.` : ''}`,
  /** awaiting.clarification summary_detailed: the above, its context, and the time left. */
  questionDeadline: (normal, context, secondsLeft) =>
    `${normal}${context !== undefined ? ` ${sentence(context)}` : ''} Temps restant pour répondre${colon} ${time(secondsLeft * 1000)}.`,
  /** state.changed summary_normal after the user answered (an empty answer: "nothing"). */
  youAnswered: (answer) => (answer ? sentence(`Vous avez répondu${colon} ${answer}`) : 'Vous avez envoyé une réponse vide.'),
  /** state.changed summary_normal after the question was cancelled. */
  questionCancelled: () => 'La question a été annulée.',
  /** state.changed summary_normal after the deadline, with the default answer. */
  noAnswerDefault: (answer) => sentence(`Pas de réponse à temps, réponse par défaut${colon} ${answer}`),
  /** …without one. */
  noAnswer: () => `Pas de réponse à temps${semicolon} l'agent continue sans réponse.`,

  // --- Hand-off and progress ---
  /** handoff.requested, and its state.changed summary_detailed: who takes over. */
  handoffTarget: (target) => targets[target],
  /** handoff.requested summary_terse, and summary_normal without the agent's summary. */
  handingOverTo: (who) => sentence(`Transfert à ${who}`),
  /** progress.updated: how far, as a percentage. */
  percent: (percent) => `${formatNumber(L, Math.round(percent))} pour cent`,
  /** …as a step (of a total). */
  step: (step, total) =>
    total !== undefined ? `étape ${formatNumber(L, step)} sur ${formatNumber(L, total)}` : `étape ${formatNumber(L, step)}`,
  /** progress.updated summary_normal: the agent's description and the amount. */
  progressNormal: (description, amount) => sentence([description, amount].filter(Boolean).join(', ') || 'Progression en cours'),
  /** progress.updated reminder while a confirmation waits (its description, before the amount). */
  secondsLeftToConfirm: (seconds, action) => `Il reste ${plural(L, seconds, { one: '# seconde', other: '# secondes' })} pour confirmer${colon} ${action}`,
  /** …while a question waits. */
  secondsLeftToAnswer: (seconds, question) => `Il reste ${plural(L, seconds, { one: '# seconde', other: '# secondes' })} pour répondre${colon} ${question}`,

  // --- A session whose translating service stopped ---
  /** tool.completed summary_normal of a tool still running when another receiver ends the session. */
  orphanedToolNormal: () => `L'outil n'a pas répondu${colon} le service qui le suivait a redémarré.`,
  /** …its error_message. */
  orphanedToolMessage: () => "Abandonné à l'arrêt du service qui traduisait cette session.",
  /** session.errored summary_terse when another receiver ends the session. */
  serviceRestarted: () => 'Service redémarré.',
  /** …its summary_normal. */
  sessionUnfollowable: () => `Cette session ne peut plus être suivie${colon} le service qui la traduisait a redémarré. L'agent travaille peut-être encore.`,
  /** progress.updated summary_terse: the amount, else this. */
  progressTerse: (amount) => sentence(amount ?? 'Progression'),

  // --- Durations ---
  /** Inside any phrase with a duration ("Terminé en …", "L'appel a duré …", "Temps restant …"). */
  underASecond: () => "moins d'une seconde",
};
