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
  /** When the claim lapses (domain/leases.ts), epoch milliseconds; null while unclaimed, answered, or claimed for good. */
  claim_expires_at: number | null;
  /** The claim lease the question asked for, seconds (0: for good); null: the bridge's default. */
  claim_lease: number | null;
  /** What the bridge's own notice is ('claim_reopened', domain/leases.ts); null for every message somebody wrote. */
  kind: string | null;
  /** Why, for a notice ('lease_expired', 'released', 'holder_revoked', 'holder_expired'); null otherwise. */
  reason: string | null;
}
