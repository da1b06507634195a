/** A message as the store keeps it. `at` is epoch milliseconds; the wire form is `wire/messages.ts`. */
export interface StoredMessage {
  room: string;
  seq: number;
  at: number;
  from: string;
  to: string;
  text: string;
  expects_reply: string;
  claimed_by: string | null;
  /** The seq of the message of the same room this one replies to, or null. */
  reply_to: number | null;
  /** Who answered this question (domain/answers.ts), or null while unanswered or not a question. */
  answered_by: string | null;
  /** When it was answered, epoch milliseconds, or null. */
  answered_at: number | null;
}
