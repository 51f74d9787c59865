import { describeDuration, sentence } from './describe.js';
import type { AgentState } from './SessionState.js';

/**
 * Every fixed English phrase the translator writes, and nothing else: the one
 * place words are chosen, so a message catalog (with CLDR plural rules for the
 * counts) can replace this file later. Each comment says where the phrase is
 * heard. Text from the agent (names, actions, answers) arrives already redacted
 * and truncated; these functions only put it in a sentence.
 */
export const phrases = {
  // --- The session (agent.session.*) ---

  /** The agent's name when neither the span nor the producer gives one. */
  defaultAgentName: 'The agent',
  /** session.started summary_terse. */
  started: 'Started.',
  /** session.started summary_normal, when the request text is known. */
  workingOnRequest: (agent: string, request: string) => `${agent} is working on your request: ${request}`,
  /** session.started summary_normal, when it is not. */
  startedWorking: (agent: string) => `${agent} started working.`,
  /** session.started summary_detailed: the tools the agent may use. */
  canUseTools: (tools: readonly string[]) => `It can use ${tools.join(', ')}.`,
  /** session.started summary_detailed: the conversation id. */
  conversation: (id: string) => `Conversation ${id}.`,
  /** session.completed summary_terse, and summary_normal without a result summary. */
  done: 'Done.',
  /** session.completed summary_detailed: how long it took, and how many tools it used (plural: tool/tools). */
  finishedIn: (durationMs: number, tools: number) =>
    `Finished in ${describeDuration(durationMs)}.${tools === 0 ? '' : ` It used ${tools} ${tools === 1 ? 'tool' : 'tools'}.`}`,
  /** session.cancelled summary_terse, when the agent's span says it was cancelled. */
  cancelled: 'Cancelled.',
  /** session.cancelled summary_normal, cancelled by the user. */
  cancelledByYou: 'Cancelled at your request.',
  /** session.cancelled summary_normal, cancelled by anyone else. */
  stoppedBeforeFinishing: (agent: string) => `${agent} stopped before finishing.`,
  /** session.cancelled summary_terse, when the service shuts down. */
  stopped: 'Stopped.',
  /** session.cancelled summary_normal, when the service shuts down. */
  shuttingDown: (agent: string) => `${agent} stopped because the service is shutting down.`,
  /** session.errored summary_terse. */
  failed: 'Failed.',
  /** session.errored summary_normal, with the error message. */
  couldNotFinish: (agent: string, message: string) => sentence(`${agent} could not finish: ${message}`),
  /** session.errored summary_normal, without one. */
  couldNotFinishError: (agent: string) => `${agent} could not finish because of an error.`,
  /** session.errored remediation_hint for a transient error the agent gave no hint for. */
  tryAgain: 'Try again in a few moments.',

  // --- The state machine (agent.state.changed) ---

  /** state.changed summary_terse and, without a more specific summary, summary_normal, per state entered. */
  states: {
    idle: { terse: 'Idle.', normal: 'Waiting.' },
    thinking: { terse: 'Thinking.', normal: 'Thinking about your request.' },
    calling_tool: { terse: 'Using a tool.', normal: 'Using a tool.' },
    writing_output: { terse: 'Answering.', normal: 'Writing the answer.' },
    awaiting_input: { terse: 'Waiting for you.', normal: 'Waiting for your answer.' },
    deciding: { terse: 'Deciding.', normal: 'Deciding what to do next.' },
    handing_off: { terse: 'Handing off.', normal: 'Handing over to someone else.' },
  } satisfies Record<AgentState, { terse: string; normal: string }>,
  /** state.changed summary_detailed: the state's normal phrase, then what it is about (a tool, a question…). */
  stateActivity: (stateNormal: string, activity: string) => sentence(`${stateNormal.replace(/\.$/, '')}: ${activity}`),
  /** state.changed summary_detailed when a model call starts: its model. */
  model: (model: string) => `model ${model}`,

  // --- Tools (agent.tool.*) ---

  /** tool.invoked summary_terse, and summary_normal without arguments. */
  using: (tool: string) => sentence(`Using ${tool}`),
  /** tool.invoked summary_normal with a summary of the arguments. */
  usingWith: (tool: string, args: string) => sentence(`Using ${tool}, ${args}`),
  /** tool.completed summary_terse, success. */
  toolDone: (tool: string) => sentence(`${tool} done`),
  /** tool.completed summary_normal, success, with and without a result summary. */
  toolFinished: (tool: string, result?: string) => (result ? sentence(`${tool} finished: ${result}`) : sentence(`${tool} finished`)),
  /** tool.completed summary_terse, timed out. */
  toolTimedOut: (tool: string) => sentence(`${tool} timed out`),
  /** tool.completed summary_normal, timed out. */
  toolNoAnswer: (tool: string) => sentence(`${tool} did not answer in time`),
  /** tool.completed summary_terse, and summary_normal with or without the error message, failed. */
  toolFailed: (tool: string, message?: string) => (message ? sentence(`${tool} failed: ${message}`) : sentence(`${tool} failed`)),
  /** tool.completed summary_detailed: how long the call took. */
  toolTook: (normal: string, durationMs: number) => `${normal} It took ${describeDuration(durationMs)}.`,
  /** tool.completed error_message without one from the tool, timed out or failed. */
  timedOut: 'Timed out.',
  toolFailedMessage: 'Failed.',
  /** tool.completed of a call still running when its session ended: summary_terse, summary_normal, error_message. */
  toolAbandoned: (tool: string) => sentence(`${tool} abandoned`),
  toolUnfinished: (tool: string) => sentence(`${tool} did not finish before the session ended`),
  abandonedMessage: 'Abandoned when the session ended.',
  /** tool.completed of a call a model announced that never ran: summary_terse, summary_normal, error_message. */
  toolNotRun: (tool: string) => sentence(`${tool} not run`),
  toolNotRunBeforeEnd: (tool: string) => sentence(`${tool} was not run before the session ended`),
  notRunMessage: 'Not run before the session ended.',

  // --- Confirmations (agent.awaiting.confirmation, then state.changed) ---

  /** awaiting.confirmation consequence when the agent gives none. */
  defaultConsequence: 'The agent will go ahead with it.',
  /** awaiting.confirmation summary_terse. */
  confirmShort: (action: string) => sentence(`Confirm: ${action}?`.replace(/\?\.$/, '?')),
  /** awaiting.confirmation summary_normal: the action, its consequence, and whether it can be undone. */
  confirmationNeeded: (action: string, consequence: string, irreversible: boolean) =>
    `Confirmation needed: ${sentence(action)} ${sentence(consequence)}${irreversible ? ' This cannot be undone.' : ''}`,
  /** awaiting.confirmation summary_detailed: the above, then the time left and what happens without an answer. */
  confirmationDeadline: (normal: string, secondsLeft: number, defaultDecision: 'accept' | 'reject') =>
    `${normal} Without an answer in ${describeDuration(secondsLeft * 1000)}, ${defaultDecision === 'reject' ? 'it will not happen' : 'it will go ahead'}.`,
  /** state.changed summary_normal after an accepted confirmation: by the user, or by default at the deadline. */
  accepted: (action: string, byTimeout: boolean) =>
    sentence(`${byTimeout ? 'No answer came; going ahead by default' : 'You accepted'}: ${action}`),
  /** state.changed summary_normal after a rejected confirmation: at the deadline, cancelled, or declined. */
  rejected: (action: string, by: string | undefined) =>
    sentence(
      `${by === 'timeout' ? 'No answer in time, so not doing it' : by === 'cancelled' ? 'Cancelled, so not doing it' : 'You declined, so not doing it'}: ${action}`,
    ),

  // --- Clarifications (agent.awaiting.clarification, then state.changed) ---

  /** awaiting.clarification summary_normal: the question, and its options when there are two or more. */
  question: (question: string, options: readonly string[]) =>
    `Question: ${question}${options.length >= 2 ? ` Options: ${options.join(', ')}.` : ''}`,
  /** awaiting.clarification summary_detailed: the above, its context, and the time left. */
  questionDeadline: (normal: string, context: string | undefined, secondsLeft: number) =>
    `${normal}${context !== undefined ? ` ${sentence(context)}` : ''} Answer within ${describeDuration(secondsLeft * 1000)}.`,
  /** state.changed summary_normal after the user answered (`nothing` for an empty answer). */
  youAnswered: (answer: string | undefined) => sentence(`You answered: ${answer ?? 'nothing'}`),
  /** state.changed summary_normal after the question was cancelled. */
  questionCancelled: 'The question was cancelled.',
  /** state.changed summary_normal after the deadline, with the default answer or without one. */
  noAnswerDefault: (answer: string) => sentence(`No answer in time, so going with: ${answer}`),
  noAnswer: 'No answer in time; continuing without one.',

  // --- Hand-off (agent.handoff.requested) and progress (agent.progress.updated) ---

  /** handoff.requested, and its state.changed summary_detailed: who takes over. */
  handoffTargets: { human: 'a person', specialist_agent: 'a specialist agent', escalation_queue: 'the escalation queue' },
  /** handoff.requested summary_terse, and summary_normal without the agent's summary. */
  handingOverTo: (who: string) => sentence(`Handing over to ${who}`),
  /** progress.updated: how far, as a percentage or a step (of a total). */
  percent: (percent: number) => `${Math.round(percent)} percent`,
  step: (step: number, total?: number) => (total !== undefined ? `step ${step} of ${total}` : `step ${step}`),
  /** progress.updated summary_normal: the description and the amount, or this when neither reads as words. */
  makingProgress: 'Making progress',
  /** progress.updated summary_terse without an amount. */
  progress: 'Progress',
} as const;
