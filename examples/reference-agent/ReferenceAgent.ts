/**
 * The reference agent: runs the rule-based planner's steps as a real agent would,
 * instrumented with nothing but OpenTelemetry spans and aaep-otel's agent-side API
 * (confirm, clarify, handoff, reportProgress). Each message starts its own session
 * at once and sessions run side by side, up to `maxSessions`: a session waiting for
 * its user's answer holds nobody else up.
 */
import { ROOT_CONTEXT, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { UserInputRejected, clarify, confirm, handoff, reportProgress, sessionIdOfSpan } from '../../src/index.js';
import { TOOLS, answerAfter, plan, type Step, type ToolCall } from './planner.js';

export interface ReferenceAgentOptions {
  readonly agentName?: string;
  /** Multiplies every pause, so tests can run the agent fast. Default 1. */
  readonly pace?: number;
  /** Seconds a confirmation or question waits for an answer. Default: the library's. */
  readonly replyTimeoutSeconds?: number;
  /** Sessions that may run at once; one more message is turned away (429). Default 16. */
  readonly maxSessions?: number;
}

export const DEFAULT_MAX_SESSIONS = 16;
/** What a turned-away sender is told to wait: about one short session. */
const RETRY_AFTER_SECONDS = 5;

class ToolFailure extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ReferenceAgent {
  readonly agentName: string;
  private readonly pace: number;
  private readonly replyTimeoutSeconds: number | undefined;
  readonly maxSessions: number;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly tracer: Tracer, options: ReferenceAgentOptions = {}) {
    this.agentName = options.agentName ?? 'Reference assistant';
    this.pace = options.pace ?? 1;
    this.replyTimeoutSeconds = options.replyTimeoutSeconds;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  /** Sessions running now. */
  get sessions(): number {
    return this.running.size;
  }

  /**
   * Starts a session for a message and returns its AAEP session id at once, its
   * work already under way; `done` resolves when it ends. Throws UserInputRejected
   * when `maxSessions` are running, so the HTTP sender gets 429 with Retry-After.
   * The session belongs to `principal` (OpenTelemetry's `enduser.id`): with per-user
   * listeners, only they and the operator hear and answer it.
   */
  start(text: string, principal?: string): { sessionId: string; done: Promise<void> } {
    if (this.running.size >= this.maxSessions) {
      throw new UserInputRejected(`${this.agentName} is already working on ${this.running.size} requests; try again in a few seconds.`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
    }
    const session = this.tracer.startSpan(`invoke_agent ${this.agentName}`, {
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': this.agentName,
        'aaep.session.request': text,
        'aaep.session.tools_available': Object.keys(TOOLS),
        ...(principal !== undefined && { 'enduser.id': principal }),
      },
    }, ROOT_CONTEXT);
    const done = context.with(trace.setSpan(ROOT_CONTEXT, session), () => this.run(session, text));
    const settled = done.catch(() => {}).finally(() => this.running.delete(settled));
    this.running.add(settled);
    return { sessionId: sessionIdOfSpan(session), done };
  }

  /** Resolves when every running session has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private async run(session: Span, text: string): Promise<void> {
    const slots: Record<string, string> = {};
    const results: Record<string, unknown> = {};
    let decision: 'accept' | 'reject' | undefined;
    let planned = plan(text, slots);
    let steps: Step[] = [...planned.steps];
    try {
      while (steps.length > 0) {
        const step = steps.shift()!;
        switch (step.kind) {
          case 'think':
            await this.think();
            break;
          case 'tool':
            results[step.call.name] = await this.tool(step.call);
            break;
          case 'confirm': {
            const outcome = await this.confirmThenRun(step);
            decision = outcome.decision;
            if (outcome.result !== undefined) results[step.call.name] = outcome.result;
            break;
          }
          case 'clarify': {
            const answer = await clarify(session, {
              question: step.question,
              ...(step.options !== undefined && { options: step.options }),
              freeText: step.freeText,
              ...(this.replyTimeoutSeconds !== undefined && { timeoutSeconds: this.replyTimeoutSeconds }),
            });
            if (answer.response === undefined) {
              await this.say(`I needed an answer to continue: ${step.question} Ask me again any time.`);
              steps = [];
              break;
            }
            slots[step.slot] = String(answer.response);
            planned = plan(text, slots);
            // Go on from where the new plan differs: its first step is the same "think".
            steps = planned.steps.slice(1);
            break;
          }
          case 'handoff':
            handoff(session, { reason: step.reason, targetKind: step.targetKind, summary: step.summary });
            break;
          case 'progress_task':
            for (const [index, description] of step.steps.entries()) {
              await sleep(150 * this.pace);
              reportProgress(session, { step: index + 1, totalSteps: step.steps.length, summary: description });
            }
            break;
          case 'say': {
            const acted = Object.keys(results).length > 0 || decision !== undefined;
            await this.say(acted ? answerAfter(planned.intent, results, slots, decision) : step.text);
            break;
          }
        }
      }
    } catch (error) {
      if (!(error instanceof ToolFailure)) throw error;
      session.setAttribute('error.type', 'ToolError');
      session.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    } finally {
      session.end();
    }
  }

  private think(): Promise<void> {
    return this.tracer.startActiveSpan('chat reference-model', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'reference-rules-1' } }, async (span) => {
      await sleep(120 * this.pace);
      span.end();
    });
  }

  /** The model streams its answer a few words at a time. */
  private say(text: string): Promise<void> {
    return this.tracer.startActiveSpan('chat reference-model', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'reference-rules-1' } }, async (span) => {
      const words = text.split(/(?<= )/);
      for (let i = 0; i < words.length; i += 3) {
        span.addEvent('aaep.output.chunk', { 'aaep.output.text': words.slice(i, i + 3).join('') });
        await sleep(30 * this.pace);
      }
      span.end();
    });
  }

  private tool(call: ToolCall, extra: Record<string, string | boolean> = {}, before?: (span: Span) => Promise<boolean>): Promise<unknown> {
    return this.tracer.startActiveSpan(`execute_tool ${call.name}`, {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': call.name,
        'gen_ai.tool.call.arguments': JSON.stringify(call.args),
        'aaep.tool.summary': call.summary,
        ...extra,
      },
    }, async (span) => {
      try {
        if (before !== undefined && !(await before(span))) return undefined;
        await sleep(200 * this.pace);
        const tool = TOOLS[call.name];
        if (tool === undefined) throw new ToolFailure(`There is no tool called ${call.name}.`);
        let result: unknown;
        try {
          result = tool.run(call.args);
        } catch (error) {
          throw new ToolFailure((error as Error).message);
        }
        span.setAttribute('gen_ai.tool.call.result', JSON.stringify(result));
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** Asks on the tool span before the tool does anything; the tool runs only on accept. */
  private async confirmThenRun(step: Extract<Step, { kind: 'confirm' }>): Promise<{ decision: 'accept' | 'reject'; result?: unknown }> {
    let decision: 'accept' | 'reject' = 'reject';
    const result = await this.tool(step.call, {
      'aaep.tool.requires_confirmation': true,
      'aaep.tool.irreversible': step.irreversible,
      'aaep.tool.risk_level': step.risk,
    }, async (span) => {
      const answer = await confirm(span, {
        action: step.action,
        consequence: step.consequence,
        riskLevel: step.risk,
        irreversible: step.irreversible,
        ...(this.replyTimeoutSeconds !== undefined && { timeoutSeconds: this.replyTimeoutSeconds }),
      });
      decision = answer.decision;
      return answer.decision === 'accept';
    });
    return { decision, ...(result !== undefined && { result }) };
  }
}
