import { sentence } from '../textShape.js';
import type { AgentState } from '../SessionState.js';
import { duration, list, plural } from './formats.js';
import type { HandoffTarget, Messages } from './Messages.js';

const L = 'en';
const states: Record<AgentState, { terse: string; normal: string }> = {
  idle: { terse: 'Idle.', normal: 'Waiting.' },
  thinking: { terse: 'Thinking.', normal: 'Thinking about your request.' },
  calling_tool: { terse: 'Using a tool.', normal: 'Using a tool.' },
  writing_output: { terse: 'Answering.', normal: 'Writing the answer.' },
  awaiting_input: { terse: 'Waiting for you.', normal: 'Waiting for your answer.' },
  deciding: { terse: 'Deciding.', normal: 'Deciding what to do next.' },
  handing_off: { terse: 'Handing off.', normal: 'Handing over to someone else.' },
};
const targets: Record<HandoffTarget, string> = { human: 'a person', specialist_agent: 'a specialist agent', escalation_queue: 'the escalation queue' };
const time = (ms: number) => duration(L, ms, en.underASecond());

/** English: the producer's default, and the reference the other languages translate. */
export const en: Messages = {
  // --- The session ---
  /** The agent's name when neither the span nor the producer gives one. */
  defaultAgentName: () => 'The agent',
  /** session.started summary_terse. */
  started: () => 'Started.',
  /** session.started summary_normal, when the request text is known. */
  workingOnRequest: (agent, request) => `${agent} is working on your request: ${request}`,
  /** session.started summary_normal, when it is not. */
  startedWorking: (agent) => `${agent} started working.`,
  /** session.started summary_detailed: the tools the agent may use. */
  canUseTools: (tools) => `It can use ${list(L, tools)}.`,
  /** session.started summary_detailed: the conversation id. */
  conversation: (id) => `Conversation ${id}.`,
  /** session.completed summary_terse, and summary_normal without a result summary. */
  done: () => 'Done.',
  /** session.completed summary_detailed: how long it took, and how many tools it used. */
  finishedIn: (ms, tools) => `Finished in ${time(ms)}.${tools === 0 ? '' : ` It used ${plural(L, tools, { one: '# tool', other: '# tools' })}.`}`,
  /** session.cancelled summary_terse. */
  cancelled: () => 'Cancelled.',
  /** session.cancelled summary_normal, cancelled by the user. */
  cancelledByYou: () => 'Cancelled at your request.',
  /** session.cancelled summary_normal, cancelled by anyone else. */
  stoppedBeforeFinishing: (agent) => `${agent} stopped before finishing.`,
  /** session.cancelled summary_terse, when the service shuts down. */
  stopped: () => 'Stopped.',
  /** session.cancelled summary_normal, when the service shuts down. */
  shuttingDown: (agent) => `${agent} stopped because the service is shutting down.`,
  /** session.errored summary_terse. */
  failed: () => 'Failed.',
  /** session.errored summary_normal, with the error message. */
  couldNotFinish: (agent, message) => sentence(`${agent} could not finish: ${message}`),
  /** session.errored summary_normal, without one. */
  couldNotFinishError: (agent) => `${agent} could not finish because of an error.`,
  /** session.errored remediation_hint for a transient error the agent gave no hint for. */
  tryAgain: () => 'Try again in a few moments.',

  // --- The state machine ---
  /** state.changed summary_terse, per state entered. */
  stateTerse: (state) => states[state].terse,
  /** state.changed summary_normal without a more specific summary. */
  stateNormal: (state) => states[state].normal,
  /** state.changed summary_detailed: the state, then what it is about (a tool, a question, a model…). */
  stateActivity: (state, activity) => sentence(`${states[state].normal.replace(/\.$/, '')}: ${activity}`),
  /** Inside stateActivity when a model call starts: its model. */
  model: (model) => `model ${model}`,

  // --- Tools ---
  /** tool.invoked summary_terse, and summary_normal without arguments. */
  using: (tool) => sentence(`Using ${tool}`),
  /** tool.invoked summary_normal with a summary of the arguments. */
  usingWith: (tool, args) => sentence(`Using ${tool}, ${args}`),
  /** tool.completed summary_terse, success. */
  toolDone: (tool) => sentence(`${tool} done`),
  /** tool.completed summary_normal, success, with and without a result summary. */
  toolFinished: (tool, result) => (result ? sentence(`${tool} finished: ${result}`) : sentence(`${tool} finished`)),
  /** tool.completed summary_terse, timed out. */
  toolTimedOut: (tool) => sentence(`${tool} timed out`),
  /** tool.completed summary_normal, timed out. */
  toolNoAnswer: (tool) => sentence(`${tool} did not answer in time`),
  /** tool.completed summary_terse, and summary_normal with or without the error message, failed. */
  toolFailed: (tool, message) => (message ? sentence(`${tool} failed: ${message}`) : sentence(`${tool} failed`)),
  /** tool.completed summary_detailed: the normal summary, then how long the call took. */
  toolTook: (normal, ms) => `${normal} It took ${time(ms)}.`,
  /** tool.completed error_message when the tool gave none: timed out. */
  timedOut: () => 'Timed out.',
  /** tool.completed error_message when the tool gave none: failed. */
  toolFailedMessage: () => 'Failed.',
  /** tool.completed summary_terse of a call still running when its session ended. */
  toolAbandoned: (tool) => sentence(`${tool} abandoned`),
  /** …its summary_normal. */
  toolUnfinished: (tool) => sentence(`${tool} did not finish before the session ended`),
  /** …its error_message. */
  abandonedMessage: () => 'Abandoned when the session ended.',
  /** tool.completed summary_terse of a call a model announced that never ran. */
  toolNotRun: (tool) => sentence(`${tool} not run`),
  /** …its summary_normal. */
  toolNotRunBeforeEnd: (tool) => sentence(`${tool} was not run before the session ended`),
  /** …its error_message. */
  notRunMessage: () => 'Not run before the session ended.',
  /** Arguments and results (args_summary, "Using …, …"): a list value, by its length. */
  items: (count) => plural(L, count, { one: '# item', other: '# items' }),
  /** …an object value, by its number of fields. */
  details: (count) => plural(L, count, { one: '# detail', other: '# details' }),
  /** …the fields not listed. */
  andMore: (count) => `and ${count} more`,
  /** …in place of fields whose names say they hold a secret. */
  hiddenCredential: () => 'a credential (hidden)',

  // --- Confirmations ---
  /** awaiting.confirmation consequence when the agent gives none. */
  defaultConsequence: () => 'The agent will go ahead with it.',
  /** awaiting.confirmation summary_terse. */
  confirmShort: (action) => sentence(`Confirm: ${action}?`.replace(/\?\.$/, '?')),
  /** awaiting.confirmation summary_normal: the action, its consequence, and whether it can be undone. */
  confirmationNeeded: (action, consequence, irreversible) =>
    `Confirmation needed: ${sentence(action)} ${sentence(consequence)}${irreversible ? ' This cannot be undone.' : ''}`,
  /** awaiting.confirmation summary_detailed: the above, then the time left and what happens without an answer. */
  confirmationDeadline: (normal, secondsLeft, defaultDecision) =>
    `${normal} Without an answer in ${time(secondsLeft * 1000)}, ${defaultDecision === 'reject' ? 'it will not happen' : 'it will go ahead'}.`,
  /** state.changed summary_normal after an accepted confirmation: by the user, or by default at the deadline. */
  accepted: (action, byTimeout) => sentence(`${byTimeout ? 'No answer came; going ahead by default' : 'You accepted'}: ${action}`),
  /** state.changed summary_normal after a rejected confirmation: at the deadline, cancelled, or declined. */
  rejected: (action, by) =>
    sentence(`${by === 'timeout' ? 'No answer in time, so not doing it' : by === 'cancelled' ? 'Cancelled, so not doing it' : 'You declined, so not doing it'}: ${action}`),

  // --- Clarifications ---
  /** awaiting.clarification summary_normal: the question, and its options when there are two or more. */
  question: (question, options) => `Question: ${question}${options.length >= 2 ? ` Options: ${list(L, options, 'or')}.` : ''}`,
  /** awaiting.clarification summary_detailed: the above, its context, and the time left. */
  questionDeadline: (normal, context, secondsLeft) =>
    `${normal}${context !== undefined ? ` ${sentence(context)}` : ''} Answer within ${time(secondsLeft * 1000)}.`,
  /** state.changed summary_normal after the user answered (an empty answer: "nothing"). */
  youAnswered: (answer) => sentence(`You answered: ${answer ?? 'nothing'}`),
  /** state.changed summary_normal after the question was cancelled. */
  questionCancelled: () => 'The question was cancelled.',
  /** state.changed summary_normal after the deadline, with the default answer. */
  noAnswerDefault: (answer) => sentence(`No answer in time, so going with: ${answer}`),
  /** …without one. */
  noAnswer: () => 'No answer in time; continuing without one.',

  // --- Hand-off and progress ---
  /** handoff.requested, and its state.changed summary_detailed: who takes over. */
  handoffTarget: (target) => targets[target],
  /** handoff.requested summary_terse, and summary_normal without the agent's summary. */
  handingOverTo: (who) => sentence(`Handing over to ${who}`),
  /** progress.updated: how far, as a percentage. */
  percent: (percent) => `${Math.round(percent)} percent`,
  /** …as a step (of a total). */
  step: (step, total) => (total !== undefined ? `step ${step} of ${total}` : `step ${step}`),
  /** progress.updated summary_normal: the agent's description and the amount. */
  progressNormal: (description, amount) => sentence([description, amount].filter(Boolean).join(', ') || 'Making progress'),
  /** progress.updated summary_terse: the amount, else this. */
  progressTerse: (amount) => sentence(amount ?? 'Progress'),
  /** progress.updated reminder while a confirmation waits (its description, before the amount). */
  secondsLeftToConfirm: (seconds, action) => `${plural(L, seconds, { one: '# second', other: '# seconds' })} left to confirm: ${action}`,
  /** …while a question waits. */
  secondsLeftToAnswer: (seconds, question) => `${plural(L, seconds, { one: '# second', other: '# seconds' })} left to answer: ${question}`,

  // --- A session whose translating service stopped ---
  /** tool.completed summary_normal of a tool still running when another receiver ends the session. */
  orphanedToolNormal: () => 'The tool did not report back: the service following it restarted.',
  /** …its error_message. */
  orphanedToolMessage: () => 'Abandoned when the service translating this session stopped.',
  /** session.errored summary_terse when another receiver ends the session. */
  serviceRestarted: () => 'Service restarted.',
  /** …its summary_normal. */
  sessionUnfollowable: () => 'This session can no longer be followed: the service translating it restarted. The agent may still be working.',

  // --- Durations ---
  /** Inside any phrase with a duration ("Finished in …", "It took …", "Answer within …"). */
  underASecond: () => 'under a second',
};
