/**
 * A deterministic travel assistant: a scripted "model" (no network, no API key)
 * and tools that do their work locally, instrumented with nothing but ordinary
 * OpenTelemetry spans using the GenAI and aaep.* attribute conventions.
 */
import { ROOT_CONTEXT, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';

export interface Scenario {
  readonly request: string;
  readonly steps: readonly Step[];
  /** Ends the session with an error after the steps, as an agent whose run failed. */
  readonly failWith?: { readonly message: string; readonly type: string };
}

type Step =
  | { readonly kind: 'think'; readonly ms: number }
  | { readonly kind: 'tool'; readonly name: string; readonly args: Record<string, unknown>; readonly result?: unknown; readonly fails?: string; readonly ms: number; readonly progress?: readonly string[] }
  | { readonly kind: 'say'; readonly text: string };

export const SCENARIOS: readonly Scenario[] = [
  {
    request: 'What is the weather in Oslo tomorrow?',
    steps: [
      { kind: 'think', ms: 150 },
      { kind: 'tool', name: 'get_weather', args: { city: 'Oslo', day: 'tomorrow' }, result: { forecast: 'light snow', high_c: -1, low_c: -6 }, ms: 300 },
      { kind: 'say', text: 'Tomorrow in Oslo expect light snow. The high is minus one degree and the low minus six. Wear warm boots!' },
    ],
  },
  {
    request: 'Find me a flight from Bergen to Oslo on Friday morning.',
    steps: [
      { kind: 'think', ms: 150 },
      {
        kind: 'tool',
        name: 'search_flights',
        args: { from: 'BGO', to: 'OSL', date: 'Friday', time_of_day: 'morning' },
        result: { flights: 3, cheapest: 'SK 258 at 07:05, 1190 NOK' },
        ms: 600,
        progress: ['Checking SAS', 'Checking Norwegian', 'Comparing prices'],
      },
      { kind: 'say', text: 'I found three morning flights. The cheapest is SK 258 at 07:05 for 1190 kroner. Shall I hold a seat?' },
    ],
  },
  {
    request: 'Book a table for two at Maaemo tonight.',
    steps: [
      { kind: 'think', ms: 120 },
      { kind: 'tool', name: 'book_table', args: { restaurant: 'Maaemo', guests: 2, time: '19:30' }, fails: 'Maaemo is fully booked tonight', ms: 250 },
      { kind: 'think', ms: 100 },
      { kind: 'say', text: 'Sorry, Maaemo is fully booked tonight. Would another evening work, or a different restaurant?' },
    ],
  },
  {
    request: 'Save my airline login, password=hunter2-Secret!, and check in for SK 258.',
    steps: [
      { kind: 'think', ms: 120 },
      { kind: 'tool', name: 'store_credentials', args: { airline: 'SAS', username: 'kari', password: 'hunter2-Secret!' }, result: { stored: true }, ms: 200 },
      { kind: 'tool', name: 'check_in', args: { flight: 'SK 258' }, ms: 300, fails: 'check-in service timed out' },
    ],
    failWith: { message: 'check-in service timed out', type: 'TimeoutError' },
  },
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs one scripted turn as a real agent would: a session span with model and tool spans inside it. */
export async function runScenario(tracer: Tracer, scenario: Scenario, agentName: string, speed = 1): Promise<void> {
  const session = tracer.startSpan(`invoke_agent ${agentName}`, {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': agentName,
      'aaep.session.request': scenario.request,
      'aaep.session.tools_available': ['get_weather', 'search_flights', 'book_table', 'store_credentials', 'check_in'],
    },
  }, ROOT_CONTEXT);
  const sessionContext = trace.setSpan(ROOT_CONTEXT, session);
  try {
    for (const step of scenario.steps) {
      await context.with(sessionContext, () => runStep(tracer, step, speed));
    }
    if (scenario.failWith) {
      session.setAttribute('error.type', scenario.failWith.type);
      session.setStatus({ code: SpanStatusCode.ERROR, message: scenario.failWith.message });
    }
  } finally {
    session.end();
  }
}

async function runStep(tracer: Tracer, step: Step, speed: number): Promise<void> {
  switch (step.kind) {
    case 'think':
      await tracer.startActiveSpan('chat scripted-model', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-model-1' } }, async (span) => {
        await sleep(step.ms * speed);
        span.end();
      });
      return;
    case 'say':
      await tracer.startActiveSpan('chat scripted-model', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-model-1' } }, async (span) => {
        await streamTokens(span, step.text, speed);
        span.end();
      });
      return;
    case 'tool':
      await tracer.startActiveSpan(`execute_tool ${step.name}`, {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': step.name,
          'gen_ai.tool.call.arguments': JSON.stringify(step.args),
        },
      }, async (span) => {
        const parts = step.progress ?? [];
        for (const [index, description] of parts.entries()) {
          await sleep((step.ms / (parts.length + 1)) * speed);
          span.addEvent('aaep.progress', {
            'aaep.progress.step': index + 1,
            'aaep.progress.total_steps': parts.length,
            'aaep.progress.description': description,
          });
        }
        await sleep((step.ms / (parts.length + 1)) * speed);
        if (step.fails !== undefined) {
          span.recordException(new Error(step.fails));
          span.setStatus({ code: SpanStatusCode.ERROR, message: step.fails });
        } else {
          span.setAttribute('gen_ai.tool.call.result', JSON.stringify(step.result ?? { ok: true }));
        }
        span.end();
      });
      return;
  }
}

/** The scripted model streams its answer a few words at a time, as real models do. */
async function streamTokens(span: Span, text: string, speed: number): Promise<void> {
  const words = text.split(/(?<= )/);
  for (let i = 0; i < words.length; i += 3) {
    span.addEvent('aaep.output.chunk', { 'aaep.output.text': words.slice(i, i + 3).join('') });
    await sleep(40 * speed);
  }
}
