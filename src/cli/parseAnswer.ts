import type { AwaitingClarification, ClarificationChoice, ClarificationResponse, Decision } from '../protocol/index.js';

const YES = /^(y|yes)$/i;
const NO = /^(n|no)$/i;

/** "y"/"yes" or "n"/"no", any case; undefined for anything else. */
export function parseDecision(input: string): Decision | undefined {
  const answer = input.trim();
  if (YES.test(answer)) return 'accept';
  if (NO.test(answer)) return 'reject';
  return undefined;
}

/** The options that can be shown and sent: an event is only checked loosely on arrival. */
export function choicesOf(question: AwaitingClarification): ClarificationChoice[] {
  const choices: unknown[] = Array.isArray(question.choices) ? question.choices : [];
  return choices.filter(
    (choice): choice is ClarificationChoice =>
      typeof choice === 'object' && choice !== null && typeof (choice as ClarificationChoice).value === 'string' && typeof (choice as ClarificationChoice).label === 'string',
  );
}

/**
 * A typed answer as a response of a kind the question accepts: an option's number
 * or label, yes or no, a number, or free text. Undefined when it fits none.
 */
export function parseClarification(question: AwaitingClarification, input: string): ClarificationResponse | undefined {
  const answer = input.trim();
  if (answer === '') return undefined;
  const kinds = question.accepted_response_kinds ?? ['freetext'];
  const choices = choicesOf(question);
  const picked = /^\d+$/.test(answer) ? choices[Number(answer) - 1] : undefined;
  const named = choices.find((choice) => [choice.value, choice.label].some((name) => name.toLowerCase() === answer.toLowerCase()));
  const choice = picked ?? named;
  if (choice !== undefined) return choice.value;
  if (kinds.includes('yes_no') && (YES.test(answer) || NO.test(answer))) return YES.test(answer);
  if (kinds.includes('numeric') && Number.isFinite(Number(answer))) return Number(answer);
  if (kinds.includes('freetext')) return answer;
  return undefined;
}
