import WebSocket from 'ws';
import { AaepClientError, reply, subscribe, type ReplyAnswer, type WebSocketConstructor } from '../client/index.js';
import type { AaepEvent, AwaitingClarification, AwaitingConfirmation } from '../protocol/index.js';
import { formatLine } from './formatLine.js';
import { terminalSafe, terminalSafeJson } from './terminalSafe.js';
import { LineInput } from './LineInput.js';
import { choicesOf, parseClarification, parseDecision } from './parseAnswer.js';
import type { TailOptions } from './parseTailArgs.js';

export interface TailIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Aborting stops tailing; tail() then resolves 0. */
  readonly signal: AbortSignal;
}

/** A question waiting its turn or being asked; aborted when its answer no longer counts. */
interface Pending {
  readonly sessionId: string;
  readonly stop: AbortController;
  readonly deadline: ReturnType<typeof setTimeout> | undefined;
}

const SESSION_END = /^aaep:agent\.session\.(completed|errored|cancelled)$/;

/** The stream says the session no longer waits: it ended, or it left awaiting_input (answered elsewhere, timed out). */
function stopsWaiting(event: AaepEvent): boolean {
  if (SESSION_END.test(event.type)) return true;
  return event.type === 'aaep:agent.state.changed' && event.from_state === 'awaiting_input' && event.to_state !== 'awaiting_input';
}

/**
 * `aaep-otel tail`: prints the stream, asks the person when the agent asks, and
 * sends the answer. Resolves the exit code: 0 when stopped by `signal`, 1 when the
 * server cannot be reached at the start or refuses the subscription.
 */
export async function tail(options: TailOptions, io: TailIo): Promise<number> {
  // Everything printed passes terminalSafe: prompts, options, echoes and error messages quote span text too.
  const stdout = { write: (text: string) => io.stdout.write(terminalSafe(text)) };
  const stderr = { write: (text: string) => io.stderr.write(terminalSafe(text)) };
  // With --json stdout carries events only; everything said to the person goes to stderr.
  const talk = options.json ? stderr : stdout;
  const input = options.confirm ? new LineInput(io.stdin) : undefined;
  // A pipe does not echo what is typed; writing it back keeps the transcript readable.
  const echo = io.stdin.isTTY !== true;
  const pending = new Set<Pending>();
  let questions = Promise.resolve();
  let openPrompt: string | undefined;
  let connected = false;
  let unreachable: AaepClientError | undefined;

  /** A line for the person; a prompt interrupted by it is asked again below it. */
  const say = (line: string): void => {
    if (openPrompt === undefined) talk.write(`${line}\n`);
    else talk.write(`\n${line}\n${openPrompt}`);
  };

  const ask = async (prompt: string, signal: AbortSignal): Promise<string | undefined> => {
    talk.write(prompt);
    openPrompt = prompt;
    const line = await input!.next(signal);
    openPrompt = undefined;
    if (line === undefined) {
      talk.write('\n');
      say(signal.aborted ? 'No longer waiting for your answer.' : 'No answer: the input has ended.');
    } else if (echo) {
      talk.write(`${line}\n`);
    }
    return line;
  };

  const send = async (answer: ReplyAnswer): Promise<void> => {
    try {
      await reply(options.url, answer);
      say('Answer sent.');
    } catch (error) {
      say(`Error: your answer was not sent. ${(error as Error).message}`);
    }
  };

  // While several sessions are open a prompt says which one it answers: "Report task: Allow? (y/n) ".
  const confirmation = async (event: AwaitingConfirmation, signal: AbortSignal, label: string | undefined): Promise<void> => {
    const which = label === undefined ? '' : `${label}: `;
    let prompt = `${which}Allow? (y/n) `;
    for (;;) {
      const line = await ask(prompt, signal);
      if (line === undefined) return;
      const decision = parseDecision(line);
      if (decision !== undefined) return send({ token: options.token, replyToken: event.reply_token, decision });
      prompt = `Please answer y or n. ${which}Allow? (y/n) `;
    }
  };

  const clarification = async (event: AwaitingClarification, signal: AbortSignal, label: string | undefined): Promise<void> => {
    const choices = choicesOf(event);
    choices.forEach((choice, index) => say(`${index + 1}. ${choice.label}`));
    const yesNo = event.accepted_response_kinds?.length === 1 && event.accepted_response_kinds[0] === 'yes_no';
    const hint = (label === undefined ? '' : `${label}: `) + (choices.length > 0 ? `Answer (1 to ${choices.length}): ` : yesNo ? 'Answer (y/n): ' : 'Answer: ');
    let prompt = hint;
    for (;;) {
      const line = await ask(prompt, signal);
      if (line === undefined) return;
      const response = parseClarification(event, line);
      if (response !== undefined) return send({ token: options.token, replyToken: event.reply_token, response });
      prompt = `That is not an answer this question takes. ${hint}`;
    }
  };

  /** Questions are asked one at a time, in the order the agent asked them, until their deadline. */
  const enqueue = (event: AwaitingConfirmation | AwaitingClarification, label: string | undefined): void => {
    const stop = new AbortController();
    const seconds = event.timeout_seconds;
    const deadline = Number.isFinite(seconds) && seconds > 0 ? setTimeout(() => stop.abort(), seconds * 1000) : undefined;
    const question: Pending = { sessionId: event.session_id, stop, deadline };
    pending.add(question);
    questions = questions.then(async () => {
      if (!stop.signal.aborted) {
        if (event.type === 'aaep:agent.awaiting.confirmation') await confirmation(event, stop.signal, label);
        else await clarification(event, stop.signal, label);
      }
      clearTimeout(deadline);
      pending.delete(question);
    });
  };

  const subscription = subscribe(options.url, {
    token: options.token,
    sessionId: options.sessionId,
    verbosity: options.verbosity,
    // Negotiated (spec ch. 5): the verbosity above, the rate, and whether we can answer.
    capabilities: {
      supports_confirmation_reply: options.confirm,
      supports_clarification_reply: options.confirm,
      ...(options.rate !== undefined && { max_events_per_second: options.rate }),
      ...(options.languages !== undefined && { languages: [...options.languages] }),
    },
    subscriberId: 'aaep-otel-tail',
    ...(options.websocket && { transport: 'websocket' as const, WebSocket: WebSocket as unknown as WebSocketConstructor }),
    signal: io.signal,
    onStatus(status) {
      if (status === 'open') {
        say(connected ? 'Reconnected.' : `Listening to ${options.url}.`);
        connected = true;
      } else if (status === 'reconnecting' && connected) {
        say('Reconnecting…');
      }
    },
    onError(error) {
      if (error.code === 'network') {
        // Before the first connection nobody is listening yet: say so and stop. Afterwards "Reconnecting…" says it.
        if (!connected) {
          unreachable = error;
          subscription.close();
        }
      } else if (error.code === 'malformed_event' || error.code === 'handler' || (error.code === 'not_found' && connected)) {
        stderr.write(`Warning: ${error.message}\n`);
      } else if (error.retryable) {
        stderr.write(`${error.message} Trying again.\n`);
      }
    },
    onEvent(event, text, label) {
      if (options.json) stdout.write(`${terminalSafeJson(event)}\n`);
      else {
        const line = formatLine(event, text, label);
        if (line !== undefined) say(line);
      }
      if (input === undefined) return;
      if (event.type === 'aaep:agent.awaiting.confirmation' || event.type === 'aaep:agent.awaiting.clarification') enqueue(event, label);
      else if (stopsWaiting(event)) for (const question of pending) if (question.sessionId === event.session_id) question.stop.abort();
    },
  });

  let failure: Error | undefined;
  try {
    await subscription.done;
  } catch (error) {
    failure = error as Error;
  }
  for (const question of pending) question.stop.abort();
  await questions;
  input?.close();

  if (unreachable !== undefined) {
    stderr.write(`${unreachable.message}\n`);
    return 1;
  }
  if (failure !== undefined) {
    const refused = failure instanceof AaepClientError && (failure.code === 'unauthorized' || failure.code === 'forbidden');
    const hint = refused ? ' Pass --token or set AAEP_TOKEN.' : '';
    stderr.write(`${failure.message}${hint}\n`);
    return 1;
  }
  return 0;
}
