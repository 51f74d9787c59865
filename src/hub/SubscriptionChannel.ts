import type { SubscriberSink } from './Subscription.js';
import { negotiateSubscription, type SubscriptionOffer } from './negotiateSubscription.js';
import type { Capabilities, SubscriberHandshakeMessage, SubscriptionAccepted, SubscriptionRejected } from '../protocol/index.js';
import { SubscriptionPolicy } from './SubscriptionPolicy.js';
import { firstPhraseLanguage, type PhraseLanguage } from '../translate/messages/catalog.js';

export type HandshakeAnswer = SubscriptionAccepted | SubscriptionRejected;

/** What a negotiation settled: kept while a subscriber reconnects (spec B.1.2, B.1.5). */
export interface NegotiatedTerms {
  readonly requested: Capabilities;
  readonly version: string;
  readonly honored: Capabilities;
}

/** Why a channel's transport ends. */
export type ChannelEnd = 'overflow' | 'shutdown' | 'rejected' | 'closed';

/** One open stream (an SSE response or a WebSocket), as the channel drives it. */
export interface ChannelTransport {
  readonly kind: 'sse' | 'websocket';
  /** Whole `aaep.event` SSE frames, as the hub serialised them. */
  write(frames: Buffer): boolean;
  /** A handshake answer, as the stream's next item. */
  send(message: HandshakeAnswer): void;
  end(reason: ChannelEnd): void;
}

/**
 * A stream and its subscription id. Until the subscriber negotiates, the hub's bytes pass
 * straight through (today's stream, unchanged); once it has, they go through its
 * `SubscriptionPolicy`.
 */
export class SubscriptionChannel implements SubscriberSink {
  private policy: SubscriptionPolicy | undefined;
  /** Capabilities as requested (renegotiation changes only the fields it names, §5.7.1). */
  private requested: Capabilities | undefined;
  private version: string | undefined;
  private honored: Capabilities | undefined;
  private language: PhraseLanguage | undefined;
  private ended = false;

  constructor(
    readonly id: string,
    private readonly transport: ChannelTransport,
    private readonly offer: () => Promise<SubscriptionOffer>,
    private readonly onEnd: (channel: SubscriptionChannel, reason: ChannelEnd) => void,
  ) {}

  /** The terms in force, when negotiated. */
  get terms(): NegotiatedTerms | undefined {
    return this.policy === undefined || this.requested === undefined || this.version === undefined || this.honored === undefined
      ? undefined
      : { requested: this.requested, version: this.version, honored: this.honored };
  }

  /** Takes terms negotiated before the stream opened (or by the stream it replaces). */
  adopt(terms: NegotiatedTerms): void {
    this.requested = terms.requested;
    this.version = terms.version;
    this.install(terms.honored);
  }

  /** The language of our phrases on this stream: the first negotiated one we have (spec §11.1.3). */
  get phraseLanguage(): PhraseLanguage | undefined {
    return this.language;
  }

  /** What it declared it can answer; undeclared counts as able (see negotiateSubscription). */
  answers(kind: 'confirmation' | 'clarification'): boolean | undefined {
    return kind === 'confirmation' ? this.honored?.supports_confirmation_reply : this.honored?.supports_clarification_reply;
  }

  get kind(): 'sse' | 'websocket' {
    return this.transport.kind;
  }

  get negotiated(): boolean {
    return this.policy !== undefined;
  }

  write(frames: Buffer): boolean {
    if (this.ended) return true;
    return this.policy === undefined ? this.transport.write(frames) : this.policy.write(frames);
  }

  close(reason: 'overflow' | 'shutdown'): void {
    this.end(reason);
  }

  /** The transport went away by itself: stop the policy's timers and what it holds. */
  release(): void {
    this.ended = true;
    this.policy?.dispose();
  }

  /** The transport drained its buffer. */
  drained(): void {
    this.policy?.resume();
  }

  /** Answers a handshake message; the answer is also the stream's next item. Undefined for a close. */
  async handle(message: SubscriberHandshakeMessage): Promise<HandshakeAnswer | undefined> {
    if (this.ended) return undefined;
    if (message.type === 'subscription.close') {
      this.end('closed');
      return undefined;
    }
    let capabilities: Capabilities;
    if (message.type === 'subscription.request') {
      capabilities = message.capabilities;
      this.version = message.aaep_version;
    } else {
      capabilities = { ...this.requested, ...message.capabilities };
    }
    const offer = await this.offer();
    if (this.ended) return undefined;
    const answer = negotiateSubscription(this.id, this.version ?? offer.aaepVersion, capabilities, offer);
    this.transport.send(answer.message);
    if (!answer.ok) {
      this.end('rejected');
      return answer.message;
    }
    this.requested = capabilities;
    this.install(answer.message.honored_capabilities);
    return answer.message;
  }

  private install(honored: Capabilities): void {
    this.honored = honored;
    this.language = firstPhraseLanguage(honored.languages);
    if (this.policy === undefined) {
      this.policy = new SubscriptionPolicy(honored, { write: (frames) => this.transport.write(frames), overflow: () => this.end('overflow') });
    } else this.policy.update(honored);
  }

  private end(reason: ChannelEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.policy?.dispose();
    this.onEnd(this, reason);
    this.transport.end(reason);
  }
}
