import { type CursorState, NO_CURSOR } from '../domain/handout.js';
import type { ReopenNotice } from '../domain/leases.js';
import type { StoredMessage } from '../domain/message.js';
import type { AppendInput, ClaimLease, ClaimResult, CodeRecord, RoomRecord, WebhookRecord } from './store.js';

/** Rows as both SQL backends return them, and the records they become. */

/** The message columns, in the order MessageRow expects. */
export const MSG_COLS =
  'room, seq, at, sender, recipient, text, expects_reply, claimed_by, reply_to, answered_by, answered_at, claim_expires_at, claim_lease, kind, reason';

export interface RoomRow {
  name: string;
  /** 0/1 from SQLite, a boolean from PostgreSQL. */
  closed: number | boolean;
  closed_at: number | null;
  closed_by: string | null;
  created_at: number;
  last_seq: number;
  last_at: number | null;
  message_count: number;
}

export interface MessageRow {
  room: string;
  seq: number;
  at: number;
  sender: string;
  recipient: string;
  text: string;
  expects_reply: string;
  claimed_by: string | null;
  reply_to: number | null;
  answered_by: string | null;
  answered_at: number | null;
  claim_expires_at: number | null;
  claim_lease: number | null;
  kind: string | null;
  reason: string | null;
}

export interface CodeRow {
  hash: string;
  plain: string | null;
  display: string;
  name: string;
  room: string;
  capabilities: string;
  created_at: number;
  expires_at: number | null;
}

export function toRoom(r: RoomRow): RoomRecord {
  return {
    name: r.name,
    closed: r.closed === 1 || r.closed === true,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    createdAt: r.created_at,
    lastSeq: r.last_seq,
    lastAt: r.last_at,
    messageCount: r.message_count,
  };
}

/** A row-to-message mapper; `decode` undoes whatever the backend did to store the text. */
export function messageMapper(decode: (stored: string) => string): (r: MessageRow) => StoredMessage {
  return (r) => ({
    room: r.room,
    seq: r.seq,
    at: r.at,
    from: r.sender,
    to: r.recipient,
    text: decode(r.text),
    expects_reply: r.expects_reply,
    claimed_by: r.claimed_by,
    reply_to: r.reply_to ?? null,
    answered_by: r.answered_by ?? null,
    answered_at: r.answered_at ?? null,
    claim_expires_at: r.claim_expires_at ?? null,
    claim_lease: r.claim_lease ?? null,
    kind: r.kind ?? null,
    reason: r.reason ?? null,
  });
}

/** A message row whose text is stored as it is. */
export const toMessage = messageMapper((t) => t);

export function toCode(r: CodeRow): CodeRecord {
  return {
    hash: r.hash,
    plain: r.plain,
    display: r.display,
    name: r.name,
    room: r.room,
    capabilities: r.capabilities,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  };
}

/** A webhook row as both SQL backends return it (SQLite keeps booleans as 0/1). */
export interface WebhookRow {
  room: string;
  name: string;
  url: string;
  secret: string;
  include_text: boolean | number;
  created_at: number;
  code_hash: string;
}

export function toWebhook(r: WebhookRow): WebhookRecord {
  return {
    room: r.room,
    name: r.name,
    url: r.url,
    secret: r.secret,
    includeText: r.include_text === true || r.include_text === 1,
    createdAt: r.created_at,
    codeHash: r.code_hash,
  };
}

/** A server-side cursor row (SQLite keeps booleans as 0/1). */
export interface CursorRow {
  seq: number;
  pending_to: number | null;
  pending_req: string | null;
  pending_cancelled: boolean | number;
  rev: number;
}

/** The cursor a row holds; NO_CURSOR when the agent has none. */
export function cursorFromRow(r: CursorRow | undefined): CursorState {
  if (!r) return NO_CURSOR;
  return {
    committed: r.seq,
    pendingTo: r.pending_to,
    pendingReq: r.pending_req,
    pendingCancelled: r.pending_cancelled === true || r.pending_cancelled === 1,
    rev: r.rev,
  };
}

/**
 * The append of a claim_reopened notice (domain/leases.ts `reopenNotice`) in `room` at
 * `at` (epoch ms): the bridge's own message, into an open or closed room, never
 * refused by a quota, replying to the question whoever could see it.
 */
export function noticeAppend(room: string, n: ReopenNotice, at: number, maxPerRoom: number): AppendInput {
  return {
    room,
    from: n.from,
    to: n.to,
    text: n.text,
    expectsReply: 'none',
    at,
    requireOpen: false,
    maxRooms: 0,
    maxPerRoom,
    replyTo: n.replyTo,
    seesAll: true,
  };
}

/** A message's claim columns, as a lost claim reads them. */
export interface ClaimRow {
  claimed_by: string | null;
  answered_by: string | null;
  claim_expires_at: number | null;
}

/**
 * What a claim that did not win learns from the message's claim columns: who holds it
 * (the claimant, else the answerer of a question nobody claimed); not found when the
 * row is missing (not visible) or nobody holds it (it opened meanwhile).
 */
export function lostClaim(row: ClaimRow | undefined): ClaimResult {
  const by = row ? (row.claimed_by ?? row.answered_by) : null;
  if (!row || by === null) return { found: false };
  return { found: true, won: false, claimedBy: by, answeredBy: row.answered_by, leaseExpiresAt: row.claim_expires_at };
}

/** True when a lost claim found a lease that lapsed by the claim's time: the claim reopens it itself, not waiting for the sweep. */
export function lapsedOnClaim(res: ClaimResult, lease: ClaimLease | undefined): res is ClaimResult & { found: true } {
  return (
    lease !== undefined &&
    res.found &&
    res.answeredBy === null &&
    res.leaseExpiresAt !== null &&
    res.leaseExpiresAt <= lease.nowMs
  );
}
