import { describe, expect, it } from 'vitest';
import { announce, type AaepEvent } from '../../src/client/index.js';

/** Events as a producer other than aaep-otel may send them: fields left out. */
const sparse = (fields: Record<string, unknown>) => ({ event_id: 'evt_1', session_id: 'sess_1', ...fields }) as unknown as AaepEvent;

describe('announce()', () => {
  const full = sparse({ type: 'aaep:agent.session.started', summary_terse: 'Started.', summary_normal: 'Started: Email Ada.', summary_detailed: 'Started: Email Ada, with two tools.' });

  it('says the summary at the chosen verbosity', () => {
    expect(announce(full, 'terse')).toBe('Started.');
    expect(announce(full, 'normal')).toBe('Started: Email Ada.');
    expect(announce(full, 'detailed')).toBe('Started: Email Ada, with two tools.');
    expect(announce(full)).toBe('Started: Email Ada.');
  });

  it('says which session speaks when given its label, and only then', () => {
    const done = sparse({ type: 'aaep:agent.session.completed', summary_normal: 'Done.' });
    expect(announce(done, 'normal', 'Report task')).toBe('Report task: Done.');
    expect(announce(done, 'normal')).toBe('Done.');
    expect(announce(sparse({ type: 'aaep:agent.output.streaming', chunk: '' }), 'normal', 'Report task')).toBe('');
  });

  it('falls back to another summary when the chosen one is missing', () => {
    expect(announce(sparse({ type: 'aaep:agent.state.changed', summary_normal: 'Thinking.' }), 'terse')).toBe('Thinking.');
    expect(announce(sparse({ type: 'aaep:agent.state.changed', summary_detailed: 'Thinking hard.' }), 'normal')).toBe('Thinking hard.');
    expect(announce(sparse({ type: 'aaep:agent.state.changed', summary_terse: 'Thinking.' }), 'detailed')).toBe('Thinking.');
  });

  it('says the chunk for output, which may be empty', () => {
    expect(announce(sparse({ type: 'aaep:agent.output.streaming', chunk: 'I found three flights.' }), 'terse')).toBe('I found three flights.');
    expect(announce(sparse({ type: 'aaep:agent.output.streaming', chunk: '', complete: true }))).toBe('');
    expect(announce(sparse({ type: 'aaep:agent.output.streaming' }))).toBe('');
  });

  it('builds a sentence from the type and subject when there is no summary, never "undefined"', () => {
    expect(announce(sparse({ type: 'aaep:agent.tool.invoked', tool: 'search_flights' }))).toBe('Tool invoked: search flights.');
    expect(announce(sparse({ type: 'aaep:agent.state.changed', from_state: 'idle', to_state: 'calling_tool' }))).toBe('State changed: calling tool.');
    expect(announce(sparse({ type: 'aaep:agent.awaiting.clarification', question: 'Which city?' }))).toBe('Awaiting clarification: Which city?');
    expect(announce(sparse({ type: 'aaep:agent.session.completed', summary_normal: '   ' }))).toBe('Session completed.');
    expect(announce(sparse({ type: 'acme:build.finished' }))).toBe('Build finished.');
  });
});
