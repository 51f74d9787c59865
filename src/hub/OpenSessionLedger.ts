import { AAEP_CONTEXT } from '../protocol/envelope.js';
import type { AaepEvent, AaepEventOf, LocalizationHints, Producer } from '../protocol/index.js';
import { phraseLanguageOf, type PhraseLanguage } from '../translate/messages/catalog.js';
import { sayFields } from '../translate/messages/EventPhrases.js';
import { phrase } from '../translate/messages/Phrase.js';
import type { Draft } from '../translate/SessionState.js';

interface OpenSession {
  readonly sessionId: string;
  readonly producer: Producer;
  readonly aaepVersion: string | undefined;
  /** The principal the session belongs to, so its closing events are scoped like the rest. */
  readonly owner: string | undefined;
  /** As its events declared, so the closing events say our phrases in the same language. */
  readonly localization: LocalizationHints | undefined;
  readonly phraseLanguage: PhraseLanguage;
  nextSequence: number;
  lastTimestamp: string;
  readonly tools: Map<string, { tool: string; since: number }>;
  readonly outputs: Map<string, number>;
}

const TERMINAL = new Set(['aaep:agent.session.completed', 'aaep:agent.session.errored', 'aaep:agent.session.cancelled']);

/**
 * Where each open session of the shared stream stands — next sequence number,
 * tool calls not completed, outputs without their `complete: true` chunk —
 * folded from the events every instance reads anyway. With it any instance can
 * end a session whose owner died, legally: the missing tool results and final
 * chunks, then one terminal event. Bounded: beyond `capacity` open sessions the
 * oldest is forgotten (it can then only end by its own events).
 */
export class OpenSessionLedger {
  private readonly open = new Map<string, OpenSession>();

  constructor(private readonly capacity = 10_000) {}

  /** Folds one event of the stream in, with the principal its session belongs to. */
  observe(event: AaepEvent, owner?: string): void {
    if (event.type === 'aaep:agent.session.started') {
      this.open.delete(event.session_id);
      this.open.set(event.session_id, {
        sessionId: event.session_id,
        producer: event.producer,
        aaepVersion: event.aaep_version,
        owner,
        localization: event.localization_hints,
        phraseLanguage: phraseLanguageOf(event.localization_hints?.primary_language) ?? 'en',
        nextSequence: 0,
        lastTimestamp: event.timestamp,
        tools: new Map(),
        outputs: new Map(),
      });
      if (this.open.size > this.capacity) this.open.delete(this.open.keys().next().value!);
    }
    const session = this.open.get(event.session_id);
    if (session === undefined) return;
    if (event.sequence_number !== undefined) session.nextSequence = event.sequence_number + 1;
    if (event.timestamp > session.lastTimestamp) session.lastTimestamp = event.timestamp;
    if (TERMINAL.has(event.type)) {
      this.open.delete(event.session_id);
      return;
    }
    if (event.type === 'aaep:agent.tool.invoked' && event.tool_call_id !== undefined) {
      session.tools.set(event.tool_call_id, { tool: event.tool, since: Date.parse(event.timestamp) });
    } else if (event.type === 'aaep:agent.tool.completed' && event.tool_call_id !== undefined) {
      session.tools.delete(event.tool_call_id);
    } else if (event.type === 'aaep:agent.output.streaming' && event.output_id !== undefined) {
      if (event.complete) session.outputs.delete(event.output_id);
      else session.outputs.set(event.output_id, event.position + [...event.chunk].length);
    }
  }

  /** The principal an open session belongs to. */
  ownerOf(sessionId: string): string | undefined {
    return this.open.get(sessionId)?.owner;
  }

  /**
   * The events that end a session whose translator is gone: open outputs
   * completed, open tools abandoned, then `agent.session.errored`. Ids are
   * derived from the session, so every instance builds the same ones.
   */
  closing(sessionId: string, now = Date.now()): AaepEvent[] {
    const session = this.open.get(sessionId);
    if (session === undefined) return [];
    const at = new Date(Math.max(now, Date.parse(session.lastTimestamp))).toISOString();
    const body = sessionId.slice('sess_'.length);
    let ordinal = 0;
    const envelope = () => ({
      '@context': AAEP_CONTEXT,
      ...(session.aaepVersion !== undefined && { aaep_version: session.aaepVersion }),
      // Kind letter "y": not one the translator uses, so these ids cannot collide with its own.
      event_id: `evt_${body}y${(ordinal++).toString(36)}`,
      session_id: sessionId,
      sequence_number: session.nextSequence + ordinal - 1,
      timestamp: at,
      producer: session.producer,
      ...(session.localization !== undefined && { localization_hints: session.localization }),
    });
    const events: Array<AaepEvent | Draft<AaepEvent>> = [];
    for (const [outputId, position] of session.outputs) {
      events.push({ ...envelope(), type: 'aaep:agent.output.streaming', urgency: 'background', output_id: outputId, chunk: '', position, complete: true });
    }
    for (const [callId, { tool, since }] of session.tools) {
      events.push({
        ...envelope(),
        type: 'aaep:agent.tool.completed',
        urgency: 'normal',
        tool,
        tool_call_id: callId,
        status: 'timeout',
        duration_ms: Math.max(0, now - since),
        summary_normal: phrase.orphanedToolNormal(),
        error_message: phrase.orphanedToolMessage(),
      } satisfies Draft<AaepEventOf<'aaep:agent.tool.completed'>>);
    }
    events.push({
      ...envelope(),
      type: 'aaep:agent.session.errored',
      urgency: 'critical',
      error_category: 'transient',
      recoverable: true,
      summary_terse: phrase.serviceRestarted(),
      summary_normal: phrase.sessionUnfollowable(),
    } satisfies Draft<AaepEventOf<'aaep:agent.session.errored'>>);
    return events.map((event) => sayFields(event, session.phraseLanguage) as AaepEvent);
  }
}
