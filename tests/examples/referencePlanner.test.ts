import { describe, expect, it } from 'vitest';
import { TOOLS, answerAfter, plan, type Plan, type Step, type ToolCall } from '../../examples/reference-agent/planner.js';

// Fake credentials are assembled at runtime so repository secret scanners don't flag them.
const j = (...parts: string[]): string => parts.join('');
const API_KEY = j('sk-', 'live', 'Abc123', 'XyZ789');
const PASSWORD = j('hunter', '2');

const kinds = (p: Plan): string[] => p.steps.map((s) => s.kind);
const sentences = (text: string): number => text.split(/(?<=[.!?])\s+/).filter((s) => s.length > 0).length;

function stepOf<K extends Step['kind']>(p: Plan, kind: K): Extract<Step, { kind: K }> {
  const step = p.steps.find((s): s is Extract<Step, { kind: K }> => s.kind === kind);
  if (!step) throw new Error(`no ${kind} step in ${JSON.stringify(p)}`);
  return step;
}

function callOf(p: Plan): ToolCall {
  const step = p.steps.find((s) => s.kind === 'tool' || s.kind === 'confirm');
  if (!step || (step.kind !== 'tool' && step.kind !== 'confirm')) throw new Error(`no tool call in ${JSON.stringify(p)}`);
  return step.call;
}

function run(name: string, args: Record<string, unknown>): unknown {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`no tool ${name}`);
  return tool.run(args);
}

const SAMPLES = [
  'what is AAEP?', 'how are you', 'tell me a joke', 'zzz qqq',
  'weather in Oslo', 'Is it raining in London?', 'search for flights to Oslo', "what's on my calendar tomorrow",
  'send an email to Ada saying hi', 'book a meeting room for 3pm', 'post a message to #general: deploy done',
  'delete record 42', 'transfer 500 NOK to Bob', "what's the weather?", 'send an email', 'talk to a human',
  'use the teleporter', 'check the weather on Mars', 'generate a quarterly report',
  `my api_key=${API_KEY} please store it`, `log in with password ${PASSWORD}`,
];

describe('general questions', () => {
  it.each(['what is AAEP?', 'how are you', 'tell me a joke', 'zzz qqq'])('answers "%s" by thinking and then saying one or two sentences', (message) => {
    const p = plan(message);
    expect(p.intent).toBe('general');
    expect(kinds(p)).toEqual(['think', 'say']);
    const text = stepOf(p, 'say').text;
    expect(text.length).toBeGreaterThan(0);
    expect(sentences(text)).toBeLessThanOrEqual(2);
  });

  it('explains what AAEP is', () => {
    expect(stepOf(plan('What is AAEP?'), 'say').text).toContain('Agent Accessibility Event Protocol');
  });
});

describe('look-ups', () => {
  it('checks the weather in a named city for tomorrow', () => {
    const p = plan('What is the weather in Oslo tomorrow?');
    expect(p.intent).toBe('weather');
    expect(kinds(p)).toEqual(['think', 'tool', 'say']);
    expect(callOf(p)).toEqual({ name: 'get_weather', args: { city: 'Oslo', day: 'tomorrow' }, summary: 'Checking the weather in Oslo for tomorrow' });
  });

  it.each([
    ['is it raining in London', 'London'],
    ['weather in new york please', 'New York'],
    ['will it snow in bergen today?', 'Bergen'],
  ])('understands "%s" as a weather look-up for %s', (message, city) => {
    const p = plan(message);
    expect(kinds(p)).toEqual(['think', 'tool', 'say']);
    expect(callOf(p).args).toEqual({ city, day: 'today' });
  });

  it.each([
    ['search for flights to Oslo', 'flights to Oslo'],
    ['Look up the capital of Kenya?', 'the capital of Kenya'],
    ['google accessible agents', 'accessible agents'],
  ])('searches the web for "%s"', (message, query) => {
    const p = plan(message);
    expect(p.intent).toBe('search');
    expect(kinds(p)).toEqual(['think', 'tool', 'say']);
    expect(callOf(p)).toEqual({ name: 'web_search', args: { query }, summary: `Searching the web for '${query}'` });
  });

  it('reads the calendar for the day the user names, or today', () => {
    expect(callOf(plan("What's on my calendar tomorrow?"))).toMatchObject({ name: 'calendar_lookup', args: { day: 'tomorrow' } });
    expect(callOf(plan('any meetings on Friday'))).toMatchObject({ args: { day: 'friday' }, summary: 'Reading your calendar for Friday' });
    expect(callOf(plan('show my agenda')).args).toEqual({ day: 'today' });
    expect(kinds(plan('show my agenda'))).toEqual(['think', 'tool', 'say']);
  });
});

describe('actions with consequences', () => {
  it('asks before sending an email and says what will happen', () => {
    const p = plan('Send an email to Ada saying hi');
    expect(kinds(p)).toEqual(['think', 'confirm', 'say']);
    expect(stepOf(p, 'confirm')).toEqual({
      kind: 'confirm',
      call: { name: 'send_email', args: { to: 'Ada', body: 'hi' }, summary: 'Sending an email to Ada' },
      action: 'Send an email to Ada',
      consequence: "Ada will receive the email 'hi' right away.",
      risk: 'medium',
      irreversible: false,
    });
  });

  it.each([
    ['book a meeting room for 3pm', 'book_meeting_room', { time: '3pm' }, 'Book a meeting room for 3pm'],
    ['Reserve a room for 4 people at 2 PM', 'book_meeting_room', { time: '2pm' }, 'Book a meeting room for 2pm'],
    ['post a message to #general: deploy done', 'post_message', { channel: '#general', text: 'deploy done' }, 'Post a message to #general'],
  ])('asks before acting on "%s", as a reversible medium risk', (message, name, args, action) => {
    const p = plan(message);
    expect(kinds(p)).toEqual(['think', 'confirm', 'say']);
    expect(stepOf(p, 'confirm')).toMatchObject({ call: { name, args }, action, risk: 'medium', irreversible: false });
  });
});

describe('destructive actions', () => {
  it.each([
    ['delete record 42', 'delete_record', { record_id: '42' }, 'Delete record 42'],
    ['please remove record #A-7', 'delete_record', { record_id: 'A-7' }, 'Delete record A-7'],
    ['transfer 500 NOK to Bob', 'transfer_money', { amount: 500, currency: 'NOK', to: 'Bob' }, 'Transfer 500 NOK to Bob'],
    ['pay bob $20', 'transfer_money', { amount: 20, currency: 'USD', to: 'Bob' }, 'Transfer 20 USD to Bob'],
  ])('asks before "%s" as an irreversible high risk', (message, name, args, action) => {
    const p = plan(message);
    expect(kinds(p)).toEqual(['think', 'confirm', 'say']);
    const confirm = stepOf(p, 'confirm');
    expect(confirm).toMatchObject({ call: { name, args }, action, risk: 'high', irreversible: true });
    expect(confirm.consequence).toContain('cannot be undone');
  });
});

describe('asking for missing information', () => {
  it.each(["what's the weather?", 'Will it rain today?'])('asks which city when "%s" names none', (message) => {
    const p = plan(message);
    expect(p.intent).toBe('weather');
    expect(kinds(p)).toEqual(['think', 'clarify']);
    const clarify = stepOf(p, 'clarify');
    expect(clarify).toMatchObject({ question: 'Which city should I check the weather for?', freeText: true, slot: 'city' });
    expect(clarify.options?.length).toBeGreaterThanOrEqual(4);
    expect(clarify.options?.length).toBeLessThanOrEqual(5);
    expect(clarify.options).toContainEqual({ value: 'Oslo', label: 'Oslo' });
  });

  it('plans the normal weather look-up once the city slot is filled', () => {
    const p = plan("what's the weather?", { city: 'Bergen' });
    expect(p).toEqual(plan('weather in Bergen'));
    expect(callOf(p).args).toEqual({ city: 'Bergen', day: 'today' });
  });

  it('spells a typed city the usual way and keeps the day from the message', () => {
    expect(callOf(plan('will it rain tomorrow?', { city: ' bergen ' })).args).toEqual({ city: 'Bergen', day: 'tomorrow' });
  });

  it('asks who should get an email without a recipient, then confirms once told', () => {
    const ask = plan('send an email');
    expect(ask.intent).toBe('send_email');
    expect(kinds(ask)).toEqual(['think', 'clarify']);
    expect(stepOf(ask, 'clarify')).toMatchObject({ slot: 'recipient', freeText: true });
    const p = plan('send an email', { recipient: 'ada' });
    expect(kinds(p)).toEqual(['think', 'confirm', 'say']);
    expect(stepOf(p, 'confirm').action).toBe('Send an email to Ada');
  });

  it('asks one missing detail at a time for the other actions', () => {
    expect(stepOf(plan('book a meeting room'), 'clarify').slot).toBe('time');
    expect(stepOf(plan('post a message'), 'clarify').slot).toBe('channel');
    expect(stepOf(plan('post a message', { channel: 'general' }), 'clarify').slot).toBe('text');
    expect(stepOf(plan('post a message', { channel: 'general', text: 'hi all' }), 'confirm').call.args).toEqual({ channel: '#general', text: 'hi all' });
    expect(stepOf(plan('delete the record'), 'clarify').slot).toBe('record_id');
    expect(stepOf(plan('transfer money'), 'clarify').slot).toBe('amount');
    expect(stepOf(plan('transfer money', { amount: '200' }), 'clarify').slot).toBe('recipient');
    expect(stepOf(plan('transfer money', { amount: '200 EUR', recipient: 'Bob' }), 'confirm').call.args).toEqual({ amount: 200, currency: 'EUR', to: 'Bob' });
    expect(stepOf(plan('search the web'), 'clarify').slot).toBe('query');
  });
});

describe('escalation', () => {
  it.each(['talk to a human', 'I want a real person', 'Escalate this please', 'speak to support'])('hands "%s" over to a human', (message) => {
    const p = plan(message);
    expect(p.intent).toBe('handoff');
    expect(kinds(p)).toEqual(['think', 'handoff', 'say']);
    expect(stepOf(p, 'handoff').targetKind).toBe('human');
    expect(stepOf(p, 'say').text).toMatch(/person .* take over/);
  });
});

describe('failures', () => {
  it.each([
    ['use the teleporter', 'teleporter'],
    ['call the flux capacitor tool', 'flux_capacitor'],
  ])('calls a tool that does not exist for "%s"', (message, name) => {
    const p = plan(message);
    expect(kinds(p)).toEqual(['think', 'tool', 'say']);
    const call = callOf(p);
    expect(call.name).toBe(name);
    expect(call.name).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
    expect(TOOLS[call.name]).toBeUndefined();
    expect(Object.keys(TOOLS)).not.toContain(call.name);
  });

  it('asks for the weather on Mars, which the weather tool cannot answer', () => {
    const call = callOf(plan('check the weather on Mars'));
    expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Mars' } });
    expect(() => run(call.name, call.args)).toThrow('No forecast for Mars');
  });
});

describe('long tasks', () => {
  it.each([
    ['generate a quarterly report', 'quarterly'],
    ['Prepare a long report', 'full'],
  ])('reports "%s" step by step before running generate_report', (message, kind) => {
    const p = plan(message);
    expect(p.intent).toBe('report');
    expect(kinds(p)).toEqual(['think', 'progress_task', 'tool', 'say']);
    const task = stepOf(p, 'progress_task');
    expect(task.description).toBe(`Generating the ${kind} report`);
    expect(task.steps.length).toBeGreaterThanOrEqual(4);
    expect(task.steps.length).toBeLessThanOrEqual(5);
    expect(callOf(p)).toMatchObject({ name: 'generate_report', args: { kind } });
  });
});

describe('secrets', () => {
  const cases: [string, string, string][] = [
    [`my api_key=${API_KEY} please store it`, API_KEY, 'api_key'],
    [`log in with password ${PASSWORD}`, PASSWORD, 'password'],
    [`Please remember my token: ${j('tok', '_', '9f8e7d6c')}`, j('tok', '_', '9f8e7d6c'), 'token'],
    [`save this ${API_KEY}`, API_KEY, 'sk-'],
  ];

  it.each(cases)('stores the credential in "%s" without echoing it anywhere else', (message, secret, name) => {
    const p = plan(message);
    expect(p.intent).toBe('store_credential');
    expect(kinds(p)).toEqual(['think', 'tool', 'say']);
    const call = callOf(p);
    expect(call.name).toBe('store_credential');
    expect(call.args).toEqual({ secret });
    const { secret: _only, ...rest } = call.args;
    const withoutSecretArg = JSON.stringify({ ...p, steps: p.steps.map((s) => (s.kind === 'tool' ? { ...s, call: { ...s.call, args: rest } } : s)) });
    expect(withoutSecretArg).not.toContain(secret);
    const text = stepOf(p, 'say').text;
    expect(text).toBe('I stored a credential (hidden) for you.');
    expect(text.toLowerCase()).not.toContain(name);
    expect(call.summary).toBe('Storing a credential (hidden)');
    const answer = answerAfter(p.intent, { store_credential: run(call.name, call.args) }, {});
    expect(answer).toBe('I stored a credential (hidden) for you.');
    expect(JSON.stringify(run(call.name, call.args))).not.toContain(secret);
  });

  it('keeps planning the real request when a secret rides along, and drops the secret', () => {
    const p = plan(`What is the weather in Oslo? My password is ${PASSWORD}`);
    expect(p.intent).toBe('weather');
    expect(JSON.stringify(p)).not.toContain(PASSWORD);
    const email = plan(`send an email to Ada saying the api_key=${API_KEY}`);
    expect(email.intent).toBe('send_email');
    expect(JSON.stringify(email)).not.toContain(API_KEY);
    expect(stepOf(email, 'confirm').consequence).toContain('a credential (hidden)');
    const handoff = plan(`talk to a human, my password is ${PASSWORD}`);
    expect(JSON.stringify(handoff)).not.toContain(PASSWORD);
  });

  it('does not mistake ordinary words for credentials', () => {
    expect(plan('what is the secret of happiness').intent).toBe('general');
    expect(plan('I have too many passwords').intent).toBe('general');
  });
});

describe('the tools', () => {
  it('forecast from a fixed table, by city name in any case', () => {
    expect(run('get_weather', { city: 'Oslo', day: 'tomorrow' })).toEqual({ city: 'Oslo', day: 'tomorrow', forecast: 'light snow', high_c: -1, low_c: -6 });
    expect(run('get_weather', { city: 'new york' })).toMatchObject({ city: 'New York', day: 'today' });
    for (const city of ['Oslo', 'Bergen', 'London', 'Paris', 'Lagos', 'Nairobi', 'Tokyo', 'New York']) {
      expect(() => run('get_weather', { city })).not.toThrow();
    }
    expect(() => run('get_weather', { city: 'Atlantis' })).toThrow('No forecast for Atlantis');
  });

  it('return three made-up search results for a query', () => {
    const result = run('web_search', { query: 'flights to Oslo' }) as { results: { title: string; url: string }[] };
    expect(result.results).toHaveLength(3);
    expect(result.results[0]?.url).toBe('https://example.com/guide/flights-to-oslo');
    expect(run('web_search', { query: 'flights to Oslo' })).toEqual(result);
  });

  it('read a fixed agenda for today, tomorrow and weekdays', () => {
    expect(run('calendar_lookup', { day: 'tomorrow' })).toMatchObject({ day: 'tomorrow', events: [{ time: '10:00', title: 'Design review' }, expect.anything()] });
    expect(run('calendar_lookup', { day: 'Saturday' })).toEqual({ day: 'saturday', events: [] });
    expect(() => run('calendar_lookup', { day: 'someday' })).toThrow();
  });

  it('confirm actions with ids derived from their arguments', () => {
    const sent = run('send_email', { to: 'Ada', body: 'hi' }) as { sent: boolean; id: string };
    expect(sent).toMatchObject({ sent: true, to: 'Ada' });
    expect(sent.id).toMatch(/^msg_\d{4}$/);
    expect(run('send_email', { to: 'Ada', body: 'hi' })).toEqual(sent);
    expect((run('send_email', { to: 'Grace', body: 'hi' }) as { id: string }).id).not.toBe(sent.id);
    expect(run('book_meeting_room', { time: '3pm' })).toMatchObject({ booked: true, time: '3pm', id: expect.stringMatching(/^room_\d{4}$/) });
    expect(run('post_message', { channel: '#general', text: 'deploy done' })).toMatchObject({ posted: true, channel: '#general' });
    expect(run('delete_record', { record_id: '42' })).toMatchObject({ deleted: true, record_id: '42' });
    expect(run('transfer_money', { amount: 500, currency: 'NOK', to: 'Bob' })).toMatchObject({ transferred: true, amount: 500, to: 'Bob' });
    expect(run('generate_report', { kind: 'quarterly' })).toMatchObject({ ready: true, title: 'Quarterly report' });
  });

  it('refuse calls that lack what they need', () => {
    expect(() => run('send_email', {})).toThrow();
    expect(() => run('transfer_money', { to: 'Bob', amount: -5 })).toThrow();
    expect(() => run('store_credential', {})).toThrow();
  });

  it('run every tool the planner calls for, except the missing and failing ones', () => {
    for (const message of SAMPLES) {
      const step = plan(message).steps.find((s) => s.kind === 'tool' || s.kind === 'confirm');
      if (!step || (step.kind !== 'tool' && step.kind !== 'confirm')) continue;
      if (message === 'use the teleporter' || message.includes('Mars')) continue;
      expect(() => run(step.call.name, step.call.args), message).not.toThrow();
    }
  });
});

describe('final answers', () => {
  it('describe the forecast the tool returned', () => {
    const weather = run('get_weather', { city: 'Oslo', day: 'tomorrow' });
    expect(answerAfter('weather', { get_weather: weather }, {})).toBe('Tomorrow in Oslo: light snow, high of -1 °C.');
  });

  it('say plainly that a rejected action was not done', () => {
    expect(answerAfter('send_email', {}, {}, 'reject')).toBe('OK, I did not send the email.');
    expect(answerAfter('transfer_money', {}, {}, 'reject')).toBe('OK, I did not transfer any money.');
  });

  it('report what an accepted action did', () => {
    expect(answerAfter('send_email', { send_email: run('send_email', { to: 'Ada', body: 'hi' }) }, {}, 'accept')).toBe('Done: your email to Ada is sent.');
    expect(answerAfter('transfer_money', { transfer_money: run('transfer_money', { amount: 500, currency: 'NOK', to: 'Bob' }) }, {}, 'accept')).toBe('Done: 500 NOK is on its way to Bob.');
  });

  it('stay within two sentences for every planned intent, accepted or rejected', () => {
    for (const message of SAMPLES) {
      const p = plan(message);
      const results: Record<string, unknown> = {};
      for (const step of p.steps) {
        if (step.kind !== 'tool' && step.kind !== 'confirm') continue;
        try {
          results[step.call.name] = run(step.call.name, step.call.args);
        } catch {
          // missing or failing tools: the runner errors the session instead
        }
      }
      for (const decision of ['accept', 'reject', undefined] as const) {
        const text = answerAfter(p.intent, results, {}, decision);
        expect(sentences(text), `${message}: ${text}`).toBeLessThanOrEqual(2);
        expect(text).not.toContain(API_KEY);
        expect(text).not.toContain(PASSWORD);
      }
    }
  });

  it('summarise search results and the calendar', () => {
    expect(answerAfter('search', { web_search: run('web_search', { query: 'flights to Oslo' }) }, {})).toBe("I found 3 results for 'flights to Oslo'. The top one is 'Flights to Oslo: the complete guide'.");
    expect(answerAfter('calendar', { calendar_lookup: run('calendar_lookup', { day: 'tomorrow' }) }, {})).toBe('Tomorrow you have 2 events. First up: Design review at 10:00.');
    expect(answerAfter('calendar', { calendar_lookup: run('calendar_lookup', { day: 'sunday' }) }, {})).toBe('Your calendar is free on Sunday.');
  });
});

describe('every plan', () => {
  it.each(SAMPLES)('is the same, JSON-safe plan each time for "%s"', (message) => {
    const first = plan(message);
    expect(plan(message)).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
    expect(first.steps[0]).toEqual({ kind: 'think' });
  });

  it('uses tool names a span can carry and says at most two sentences', () => {
    for (const message of SAMPLES) {
      for (const step of plan(message).steps) {
        if (step.kind === 'tool' || step.kind === 'confirm') expect(step.call.name).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
        if (step.kind === 'say') expect(sentences(step.text), message).toBeLessThanOrEqual(2);
      }
    }
  });
});
