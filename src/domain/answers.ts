import { InvalidInput } from './errors.js';
import { ANYONE, NONE, resolveExpects } from './expects.js';
import type { StoredMessage } from './message.js';
import { type Addressed, visibleTo } from './visibility.js';

/** What a reply does to the question it points at. */
export type AnswerOutcome =
  /** A plain reply: the question (if it is one) stays as it is. */
  | { answers: false }
  /** The reply answers the question; `claims`: it also becomes the question's claim (an unclaimed `anyone`). */
  | { answers: true; claims: boolean };

/** The question as the rule needs it: who asked, whom it addressed, and what has happened to it. */
export type QuestionState = Pick<StoredMessage, 'from' | 'expects_reply' | 'claimed_by' | 'answered_by'>;

/**
 * Whether `reply` (sent by `reply.from`, with reply_to pointing at `question`)
 * answers the question. A question is a message whose stored expects_reply is not
 * `none`; only its first eligible answer counts, and only a reply the asker can see
 * (a broadcast, or a DM to the asker) answers it. Who is eligible:
 * - a question addressed to a name: that name;
 * - `anyone` once claimed: the claimant;
 * - `anyone` unclaimed: the member it resolves to at reply time when only one other
 *   member could answer (domain/expects.ts resolveExpects), else anyone but the
 *   asker; such an answer also claims the question (first writer wins, like claims).
 * `members` is the room's durable membership at reply time (the replier included).
 * Pure: the stores apply it inside the append's transaction.
 */
export function answerOutcome(question: QuestionState, reply: Addressed, members: Iterable<string>): AnswerOutcome {
  const expects = question.expects_reply || NONE;
  if (expects === NONE || question.answered_by !== null) return { answers: false };
  const replier = reply.from;
  if (replier === question.from || !visibleTo(reply, question.from)) return { answers: false };
  if (expects !== ANYONE) return replier === expects ? { answers: true, claims: false } : { answers: false };
  if (question.claimed_by !== null) {
    return replier === question.claimed_by ? { answers: true, claims: false } : { answers: false };
  }
  const resolved = resolveExpects(ANYONE, question.from, members);
  if (resolved !== ANYONE && resolved !== replier) return { answers: false };
  return { answers: true, claims: true };
}

/** True when answering this question depends on the room's membership (an unclaimed, unanswered `anyone`), so a store reads it only then. */
export function answerNeedsMembers(question: QuestionState): boolean {
  return question.expects_reply === ANYONE && question.claimed_by === null && question.answered_by === null;
}

/**
 * The reply_to an agent or the operator gave: null when absent, else a seq (a whole
 * number from 1 up to 2^53 - 1). Throws InvalidInput naming reply_to for anything else.
 */
export function checkReplyTo(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidInput(
      'reply_to',
      'reply_to must be the seq of a message in your room (a whole number from 1), or left out.',
    );
  }
  return value;
}
