import type { ClarificationReply, ClarificationResponse, ConfirmationReply, Decision } from '../protocol/index.js';
import { AaepClientError } from './AaepClientError.js';
import { REPLIES_PATH, endpointUrl } from './endpointUrl.js';

interface ReplyBase {
  /** Sent as `Authorization: Bearer …`. */
  readonly token?: string;
  /** The event's `reply_token` (rpl_…). */
  readonly replyToken: string;
}

/** The answer to an `agent.awaiting.confirmation`, or to an `agent.awaiting.clarification`. */
export type ReplyAnswer =
  | (ReplyBase & { readonly decision: Decision })
  | (ReplyBase & { readonly response: ClarificationResponse });

export interface ReplyOptions {
  /** Who is answering (sub_…). Default: a fresh id. */
  readonly subscriptionId?: string;
  /** Who decided, e.g. "user:ada". */
  readonly decidedBy?: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A sub_ id: it names the answering client and guards nothing, so Math.random is enough. */
function newSubscriptionId(): string {
  let id = 'sub_';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET.charAt(Math.floor(Math.random() * ID_ALPHABET.length));
  return id;
}

/**
 * Answers a confirmation (`decision`) or a clarification (`response`) at
 * `POST /aaep/v1/replies` (`baseUrl`: the server, or any of its endpoint URLs).
 * Resolves once the server took the reply: 204 means well-formed, not honoured;
 * the stream says what became of it. Rejects with an AaepClientError otherwise.
 */
export async function reply(baseUrl: string, answer: ReplyAnswer, options: ReplyOptions = {}): Promise<void> {
  const target = endpointUrl(baseUrl, REPLIES_PATH);
  const where = `${target.origin}${target.pathname}`;
  const common = {
    reply_token: answer.replyToken,
    subscription_id: options.subscriptionId ?? newSubscriptionId(),
    timestamp: new Date().toISOString(),
    ...(options.decidedBy !== undefined && { decided_by: options.decidedBy }),
  };
  const body: ConfirmationReply | ClarificationReply =
    'decision' in answer
      ? { type: 'confirmation.reply', decision: answer.decision, ...common }
      : { type: 'clarification.reply', response: answer.response, ...common };
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (answer.token !== undefined) headers.Authorization = `Bearer ${answer.token}`;
  let response: Response;
  try {
    response = await fetch(target.href, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    throw AaepClientError.network(`Cannot reach ${where}`, error);
  }
  if (!response.ok) throw await AaepClientError.fromResponse(where, response);
  await response.body?.cancel();
}
