import type { AgentState } from '../SessionState.js';

export type HandoffTarget = 'human' | 'specialist_agent' | 'escalation_queue';

/**
 * Every fixed phrase the translator writes, as one language says it. Arguments are text
 * the agent or model wrote (already redacted and shortened, never translated), counts,
 * and other phrases already rendered in the same language. Each language is one file
 * (`en.ts`, `es.ts`, `fr.ts`, `de.ts`) that implements all of them, so a missing phrase
 * is a type error, and a native speaker can review a language in one place.
 */
export interface Messages {
  // --- The session (agent.session.*) ---
  defaultAgentName(): string;
  started(): string;
  workingOnRequest(agent: string, request: string): string;
  startedWorking(agent: string): string;
  canUseTools(tools: readonly string[]): string;
  conversation(id: string): string;
  done(): string;
  finishedIn(durationMs: number, tools: number): string;
  cancelled(): string;
  cancelledByYou(): string;
  stoppedBeforeFinishing(agent: string): string;
  stopped(): string;
  shuttingDown(agent: string): string;
  failed(): string;
  couldNotFinish(agent: string, message: string): string;
  couldNotFinishError(agent: string): string;
  tryAgain(): string;

  // --- The state machine (agent.state.changed) ---
  stateTerse(state: AgentState): string;
  stateNormal(state: AgentState): string;
  stateActivity(state: AgentState, activity: string): string;
  model(model: string): string;

  // --- Tools (agent.tool.*) ---
  using(tool: string): string;
  usingWith(tool: string, args: string): string;
  toolDone(tool: string): string;
  toolFinished(tool: string, result?: string): string;
  toolTimedOut(tool: string): string;
  toolNoAnswer(tool: string): string;
  toolFailed(tool: string, message?: string): string;
  toolTook(normal: string, durationMs: number): string;
  timedOut(): string;
  toolFailedMessage(): string;
  toolAbandoned(tool: string): string;
  toolUnfinished(tool: string): string;
  abandonedMessage(): string;
  toolNotRun(tool: string): string;
  toolNotRunBeforeEnd(tool: string): string;
  notRunMessage(): string;
  items(count: number): string;
  details(count: number): string;
  andMore(count: number): string;
  hiddenCredential(): string;

  // --- Confirmations (agent.awaiting.confirmation, then state.changed) ---
  defaultConsequence(): string;
  confirmShort(action: string): string;
  confirmationNeeded(action: string, consequence: string, irreversible: boolean): string;
  confirmationDeadline(normal: string, secondsLeft: number, defaultDecision: 'accept' | 'reject'): string;
  accepted(action: string, byTimeout: boolean): string;
  rejected(action: string, by?: string): string;

  // --- Clarifications (agent.awaiting.clarification, then state.changed) ---
  question(question: string, options: readonly string[]): string;
  questionDeadline(normal: string, context: string | undefined, secondsLeft: number): string;
  youAnswered(answer?: string): string;
  questionCancelled(): string;
  noAnswerDefault(answer: string): string;
  noAnswer(): string;

  // --- Hand-off (agent.handoff.requested) and progress (agent.progress.updated) ---
  handoffTarget(target: HandoffTarget): string;
  handingOverTo(who: string): string;
  percent(percent: number): string;
  step(step: number, total?: number): string;
  progressNormal(description?: string, amount?: string): string;
  progressTerse(amount?: string): string;
  secondsLeftToConfirm(seconds: number, action: string): string;
  secondsLeftToAnswer(seconds: number, question: string): string;

  // --- A session whose translating service stopped, ended by another (shared hub) ---
  orphanedToolNormal(): string;
  orphanedToolMessage(): string;
  serviceRestarted(): string;
  sessionUnfollowable(): string;

  // --- Durations, inside the phrases above ---
  underASecond(): string;
}

export type MessageKey = keyof Messages;
