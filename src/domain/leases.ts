import { InvalidInput } from './errors.js';
import type { StoredMessage } from './message.js';

/**
 * Claims are leases (README, "Claim leases"). A claim holds for the question's
 * `claim_lease` seconds, or the bridge's ARGYBARGY_CLAIM_LEASE_SECONDS when the
 * question gave none; 0 means for good (the original's claims). When a lease lapses,
 * the holder releases it, or the holder's code is revoked or runs out, the question
 * opens again and the bridge posts one notice about it (reopenNotice). Pure rules:
 * the stores apply them inside their transactions.
 */

/** The reserved sender of the bridge's own notices; no agent or operator name may be it. */
export const NOTICE_SENDER = 'argybargy';

/** The `kind` of a notice that a claim ended and the question is open again; every other message has kind null. */
export const CLAIM_REOPENED = 'claim_reopened';

/** Why a claim ended without an answer. */
export type ReopenReason = 'lease_expired' | 'released' | 'holder_revoked' | 'holder_expired';

/** The longest claim_lease a question may ask for (seconds): about 31 years, far beyond any real use. */
export const MAX_CLAIM_LEASE = 1_000_000_000;

/**
 * The claim_lease a question gave: null when absent (the bridge's default applies),
 * else whole seconds 0..MAX_CLAIM_LEASE (0: the claim holds until answered or
 * released). Throws InvalidInput naming claim_lease for anything else.
 */
export function checkClaimLease(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_CLAIM_LEASE) {
    throw new InvalidInput(
      'claim_lease',
      `claim_lease must be whole seconds from 0 (a claim holds until answered) to ${MAX_CLAIM_LEASE}, or left out (the bridge's default).`,
    );
  }
  return value;
}

/**
 * When a claim taken (or renewed) at `nowMs` lapses: epoch ms, or null for a claim
 * that holds for good. `questionLease` is the question's claim_lease (null: use
 * `defaultSeconds`, ARGYBARGY_CLAIM_LEASE_SECONDS); a lease of 0 seconds never lapses.
 */
export function leaseExpiry(nowMs: number, questionLease: number | null, defaultSeconds: number): number | null {
  const seconds = questionLease ?? defaultSeconds;
  return seconds > 0 ? nowMs + seconds * 1000 : null;
}

/** The notice a store appends when a claim ends unanswered: who it goes to and what it says. */
export interface ReopenNotice {
  from: typeof NOTICE_SENDER;
  /** The question's own audience: 'all' for a broadcast, else its recipient. */
  to: string;
  text: string;
  kind: typeof CLAIM_REOPENED;
  reason: ReopenReason;
  replyTo: number;
}

const WHY: Record<ReopenReason, string> = {
  lease_expired: 'their claim lapsed',
  released: 'they released it',
  holder_revoked: 'their access was revoked',
  holder_expired: 'their code expired',
};

/**
 * The notice that `question`, claimed by `holder`, is open again for `reason`: from
 * NOTICE_SENDER, replying to the question, to the question's own audience (a DM
 * question's notice goes to its recipient), kind CLAIM_REOPENED. It asks nothing.
 */
export function reopenNotice(
  question: Pick<StoredMessage, 'seq' | 'to'>,
  holder: string,
  reason: ReopenReason,
): ReopenNotice {
  return {
    from: NOTICE_SENDER,
    to: question.to,
    text: `Message ${question.seq} is open again: ${holder} held the claim and ${WHY[reason]}. Claim it (POST /messages/${question.seq}/claim) before answering; the first claim wins.`,
    kind: CLAIM_REOPENED,
    reason,
    replyTo: question.seq,
  };
}

/** Why a still-held claim should end at `nowMs`, or null while it holds: its lease lapsed, or its holder has no live code (`holderCode`). */
export function lapseReason(
  claimExpiresAt: number | null,
  nowMs: number,
  holderCode: 'live' | 'expired' | 'none',
): ReopenReason | null {
  if (claimExpiresAt !== null && claimExpiresAt <= nowMs) return 'lease_expired';
  if (holderCode === 'expired') return 'holder_expired';
  if (holderCode === 'none') return 'holder_revoked';
  return null;
}
