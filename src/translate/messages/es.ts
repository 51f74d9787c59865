/**
 * Spanish (español): the Spanish catalog of every phrase the translator writes.
 *
 * Form of address: informal "tú" (tu solicitud, respondiste, inténtalo), in neutral
 * international Spanish: no regional vocabulary, no "vosotros", and tenses that read
 * naturally on both sides of the Atlantic (simple past: "terminó", "respondiste").
 *
 * Arguments written by the agent or the model (agent names, tool names, actions, answers)
 * are never translated, so phrases avoid grammatical gender and article agreement with
 * them: verbs ("search web terminó") or a colon ("search web: sin terminar") instead of
 * adjectives that would have to agree.
 *
 * Awaits review by a native speaker.
 */
import { sentence } from '../textShape.js';
import type { AgentState } from '../SessionState.js';
import { duration, formatNumber, list, plural } from './formats.js';
import type { HandoffTarget, Messages } from './Messages.js';

const L = 'es';
const states: Record<AgentState, { terse: string; normal: string }> = {
  idle: { terse: 'En reposo.', normal: 'Esperando.' },
  thinking: { terse: 'Pensando.', normal: 'Pensando en tu solicitud.' },
  calling_tool: { terse: 'Usando una herramienta.', normal: 'Usando una herramienta.' },
  writing_output: { terse: 'Respondiendo.', normal: 'Escribiendo la respuesta.' },
  awaiting_input: { terse: 'Esperándote.', normal: 'Esperando tu respuesta.' },
  deciding: { terse: 'Decidiendo.', normal: 'Decidiendo qué hacer ahora.' },
  handing_off: { terse: 'Transfiriendo.', normal: 'Pasando la tarea a alguien más.' },
};
const targets: Record<HandoffTarget, string> = {
  human: 'una persona',
  specialist_agent: 'un agente especializado',
  escalation_queue: 'la cola de escalado',
};
const time = (ms: number) => duration(L, ms, es.underASecond());
/** The agent's action without its own final full stop or question mark, to sit inside "¿…?". */
const bare = (text: string) => text.trim().replace(/[.?!]+$/, '');

/** Spanish: a translation of the English reference (`en.ts`), phrase by phrase. */
export const es: Messages = {
  // --- The session ---
  /** The agent's name when neither the span nor the producer gives one. */
  defaultAgentName: () => 'El agente',
  /** session.started summary_terse. */
  started: () => 'En marcha.',
  /** session.started summary_normal, when the request text is known. */
  workingOnRequest: (agent, request) => `${agent} está trabajando en tu solicitud: ${request}`,
  /** session.started summary_normal, when it is not. */
  startedWorking: (agent) => `${agent} empezó a trabajar.`,
  /** session.started summary_detailed: the tools the agent may use. */
  canUseTools: (tools) => `Puede usar ${list(L, tools)}.`,
  /** session.started summary_detailed: the conversation id. */
  conversation: (id) => `Conversación ${id}.`,
  /** session.completed summary_terse, and summary_normal without a result summary. */
  done: () => 'Hecho.',
  /** session.completed summary_detailed: how long it took, and how many tools it used. */
  finishedIn: (ms, tools) =>
    `Terminó en ${time(ms)}.${tools === 0 ? '' : ` Usó ${plural(L, tools, { one: '# herramienta', many: '# de herramientas', other: '# herramientas' })}.`}`,
  /** session.cancelled summary_terse. */
  cancelled: () => 'Cancelado.',
  /** session.cancelled summary_normal, cancelled by the user. */
  cancelledByYou: () => 'Cancelado a petición tuya.',
  /** session.cancelled summary_normal, cancelled by anyone else. */
  stoppedBeforeFinishing: (agent) => `${agent} se detuvo antes de terminar.`,
  /** session.cancelled summary_terse, when the service shuts down. */
  stopped: () => 'Detenido.',
  /** session.cancelled summary_normal, when the service shuts down. */
  shuttingDown: (agent) => `${agent} se detuvo porque el servicio se está cerrando.`,
  /** session.errored summary_terse. */
  failed: () => 'Falló.',
  /** session.errored summary_normal, with the error message. */
  couldNotFinish: (agent, message) => sentence(`${agent} no pudo terminar: ${message}`),
  /** session.errored summary_normal, without one. */
  couldNotFinishError: (agent) => `${agent} no pudo terminar por un error.`,
  /** session.errored remediation_hint for a transient error the agent gave no hint for. */
  tryAgain: () => 'Inténtalo de nuevo en unos momentos.',

  // --- The state machine ---
  /** state.changed summary_terse, per state entered. */
  stateTerse: (state) => states[state].terse,
  /** state.changed summary_normal without a more specific summary. */
  stateNormal: (state) => states[state].normal,
  /** state.changed summary_detailed: the state, then what it is about (a tool, a question, a model…). */
  stateActivity: (state, activity) => sentence(`${states[state].normal.replace(/\.$/, '')}: ${activity}`),
  /** Inside stateActivity when a model call starts: its model. */
  model: (model) => `modelo ${model}`,

  // --- Tools ---
  /** tool.invoked summary_terse, and summary_normal without arguments. */
  using: (tool) => sentence(`Usando ${tool}`),
  /** tool.invoked summary_normal with a summary of the arguments. */
  usingWith: (tool, args) => sentence(`Usando ${tool}, ${args}`),
  /** tool.completed summary_terse, success. */
  toolDone: (tool) => sentence(`${tool}: hecho`),
  /** tool.completed summary_normal, success, with and without a result summary. */
  toolFinished: (tool, result) => (result ? sentence(`${tool} terminó: ${result}`) : sentence(`${tool} terminó`)),
  /** tool.completed summary_terse, timed out. */
  toolTimedOut: (tool) => sentence(`${tool}: tiempo agotado`),
  /** tool.completed summary_normal, timed out. */
  toolNoAnswer: (tool) => sentence(`${tool} no respondió a tiempo`),
  /** tool.completed summary_terse, and summary_normal with or without the error message, failed. */
  toolFailed: (tool, message) => (message ? sentence(`${tool} falló: ${message}`) : sentence(`${tool} falló`)),
  /** tool.completed summary_detailed: the normal summary, then how long the call took. */
  toolTook: (normal, ms) => `${normal} Tardó ${time(ms)}.`,
  /** tool.completed error_message when the tool gave none: timed out. */
  timedOut: () => 'Tiempo agotado.',
  /** tool.completed error_message when the tool gave none: failed. */
  toolFailedMessage: () => 'Falló.',
  /** tool.completed summary_terse of a call still running when its session ended. */
  toolAbandoned: (tool) => sentence(`${tool}: sin terminar`),
  /** …its summary_normal. */
  toolUnfinished: (tool) => sentence(`${tool} no terminó antes de que acabara la sesión`),
  /** …its error_message. */
  abandonedMessage: () => 'Se abandonó al acabar la sesión.',
  /** tool.completed summary_terse of a call a model announced that never ran. */
  toolNotRun: (tool) => sentence(`${tool}: no se ejecutó`),
  /** …its summary_normal. */
  toolNotRunBeforeEnd: (tool) => sentence(`${tool} no se ejecutó antes de que acabara la sesión`),
  /** …its error_message. */
  notRunMessage: () => 'No se ejecutó antes de que acabara la sesión.',
  /** Arguments and results (args_summary, "Using …, …"): a list value, by its length. */
  items: (count) => plural(L, count, { one: '# elemento', many: '# de elementos', other: '# elementos' }),
  /** …an object value, by its number of fields. */
  details: (count) => plural(L, count, { one: '# dato', many: '# de datos', other: '# datos' }),
  /** …the fields not listed. */
  andMore: (count) => `y ${formatNumber(L, count)} más`,
  /** …in place of fields whose names say they hold a secret. */
  hiddenCredential: () => 'una credencial (oculta)',

  // --- Confirmations ---
  /** awaiting.confirmation consequence when the agent gives none. */
  defaultConsequence: () => 'El agente lo llevará a cabo.',
  /** awaiting.confirmation summary_terse. */
  confirmShort: (action) => `¿Confirmar: ${bare(action)}?`,
  /** awaiting.confirmation summary_normal: the action, its consequence, and whether it can be undone. */
  confirmationNeeded: (action, consequence, irreversible) =>
    `Se necesita confirmación: ${sentence(action)} ${sentence(consequence)}${irreversible ? ' No se puede deshacer.' : ''}`,
  /** awaiting.confirmation summary_detailed: the above, then the time left and what happens without an answer. */
  confirmationDeadline: (normal, secondsLeft, defaultDecision) =>
    `${normal} Si no respondes en ${time(secondsLeft * 1000)}, ${defaultDecision === 'reject' ? 'no se hará' : 'se llevará a cabo'}.`,
  /** state.changed summary_normal after an accepted confirmation: by the user, or by default at the deadline. */
  accepted: (action, byTimeout) => sentence(`${byTimeout ? 'No hubo respuesta, así que se hará por defecto' : 'Aceptaste'}: ${action}`),
  /** state.changed summary_normal after a rejected confirmation: at the deadline, cancelled, or declined. */
  rejected: (action, by) =>
    sentence(
      `${by === 'timeout' ? 'No hubo respuesta a tiempo, así que no se hará' : by === 'cancelled' ? 'Se canceló, así que no se hará' : 'Lo rechazaste, así que no se hará'}: ${action}`,
    ),

  // --- Clarifications ---
  /** awaiting.clarification summary_normal: the question, and its options when there are two or more. */
  question: (question, options) => `Pregunta: ${question}${options.length >= 2 ? ` Opciones: ${list(L, options, 'or')}.` : ''}`,
  /** awaiting.clarification summary_detailed: the above, its context, and the time left. */
  questionDeadline: (normal, context, secondsLeft) =>
    `${normal}${context !== undefined ? ` ${sentence(context)}` : ''} Tienes ${time(secondsLeft * 1000)} para responder.`,
  /** state.changed summary_normal after the user answered (an empty answer: "nothing"). */
  youAnswered: (answer) => sentence(`Respondiste: ${answer ?? 'nada'}`),
  /** state.changed summary_normal after the question was cancelled. */
  questionCancelled: () => 'Se canceló la pregunta.',
  /** state.changed summary_normal after the deadline, with the default answer. */
  noAnswerDefault: (answer) => sentence(`No hubo respuesta a tiempo, así que se elige: ${answer}`),
  /** …without one. */
  noAnswer: () => 'No hubo respuesta a tiempo; se continúa sin ella.',

  // --- Hand-off and progress ---
  /** handoff.requested, and its state.changed summary_detailed: who takes over. */
  handoffTarget: (target) => targets[target],
  /** handoff.requested summary_terse, and summary_normal without the agent's summary. */
  handingOverTo: (who) => sentence(`Transfiriendo a ${who}`),
  /** progress.updated: how far, as a percentage. */
  percent: (percent) => `${formatNumber(L, Math.round(percent))} por ciento`,
  /** …as a step (of a total). */
  step: (step, total) =>
    total !== undefined ? `paso ${formatNumber(L, step)} de ${formatNumber(L, total)}` : `paso ${formatNumber(L, step)}`,
  /** progress.updated summary_normal: the agent's description and the amount. */
  progressNormal: (description, amount) => sentence([description, amount].filter(Boolean).join(', ') || 'Avanzando'),
  /** progress.updated reminder while a confirmation waits (its description, before the amount). */
  secondsLeftToConfirm: (seconds, action) => `${plural(L, seconds, { one: 'Queda # segundo', other: 'Quedan # segundos' })} para confirmar: ${action}`,
  /** …while a question waits. */
  secondsLeftToAnswer: (seconds, question) => `${plural(L, seconds, { one: 'Queda # segundo', other: 'Quedan # segundos' })} para responder: ${question}`,

  // --- A session whose translating service stopped ---
  /** tool.completed summary_normal of a tool still running when another receiver ends the session. */
  orphanedToolNormal: () => 'La herramienta no respondió: el servicio que la seguía se reinició.',
  /** …its error_message. */
  orphanedToolMessage: () => 'Se abandonó al detenerse el servicio que traducía esta sesión.',
  /** session.errored summary_terse when another receiver ends the session. */
  serviceRestarted: () => 'Servicio reiniciado.',
  /** …its summary_normal. */
  sessionUnfollowable: () => 'Ya no se puede seguir esta sesión: el servicio que la traducía se reinició. Puede que el agente siga trabajando.',
  /** progress.updated summary_terse: the amount, else this. */
  progressTerse: (amount) => sentence(amount ?? 'Progreso'),

  // --- Durations ---
  /** Inside any phrase with a duration ("Finished in …", "It took …", "Answer within …"). */
  underASecond: () => 'menos de un segundo',
};
