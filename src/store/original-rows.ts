import { auditClass } from '../domain/audit.js';
import { parseIsoMs } from '../domain/time.js';
import type { CodeRow, MessageRow, RoomRow } from './rows.js';

/**
 * The rows of the original argybargy 1.0 (Python) and how they become ours: pure
 * conversions with no I/O; sqlite-adopt.ts streams the rows through them. The original keeps times as
 * ISO-8601 strings (`2026-11-29T17:16:30+00:00`); we keep epoch ms.
 */

/** The columns each table of the original must have to be recognised as the original's. */
export const ORIGINAL_TABLES: Readonly<Record<string, readonly string[]>> = {
  codes: ['code', 'display', 'name', 'room', 'capabilities', 'created', 'expires'],
  messages: ['id', 'room', 'seq', 'ts', 'sender', 'recipient', 'text', 'expects_reply', 'claimed_by'],
  rooms: ['room', 'status', 'closed_at', 'closed_by'],
  audit: ['id', 'ts', 'action', 'actor', 'room', 'detail'],
};

/** The tables the original always created; `rooms` and `audit` may be missing from an older file. */
export const ORIGINAL_REQUIRED_TABLES = ['codes', 'messages'] as const;

/** A row of the original's `codes`: `code` is the plain code, or its SHA-256 hex with ARGYBARGY_HASH_CODES=1. */
export interface OriginalCodeRow {
  code: string;
  display: string;
  name: string;
  room: string;
  capabilities: string | null;
  created: string;
  expires: string | null;
}

/** A row of the original's `messages`. */
export interface OriginalMessageRow {
  id: number;
  room: string;
  seq: number;
  ts: string;
  sender: string;
  recipient: string;
  text: string;
  expects_reply: string | null;
  claimed_by: string | null;
}

/** A row of the original's `rooms` (only rooms that were ever closed or reopened have one). */
export interface OriginalRoomRow {
  room: string;
  status: string;
  closed_at: string | null;
  closed_by: string | null;
}

/** A row of the original's `audit`. */
export interface OriginalAuditRow {
  id: number;
  ts: string;
  action: string;
  actor: string | null;
  room: string | null;
  detail: string | null;
}

/** A message row of ours with the original's id kept. */
export interface AdoptedMessage extends MessageRow {
  id: number;
}

/** A row of our `members`: the newest seq and time (ms) each sender posted in a room. */
export interface MemberRow {
  room: string;
  name: string;
  last_seq: number;
  last_at: number;
}

/** A row of our `audit`, with the retention class of domain/audit.ts. */
export interface AdoptedAudit {
  id: number;
  at: number;
  action: string;
  actor: string;
  room: string;
  detail: string;
  class: string;
}

/** Data of the original that cannot be converted; the message names the row but never a code. */
export class OriginalDataError extends Error {}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Epoch ms of an ISO time the original wrote; throws OriginalDataError naming `what` when it is not one. */
export function originalTime(iso: string | null, what: string): number {
  const ms = typeof iso === 'string' ? parseIsoMs(iso) : null;
  if (ms === null) throw new OriginalDataError(`${what} has a time that is not ISO-8601 (${JSON.stringify(iso)})`);
  return ms;
}

/**
 * One code of the original as ours. A hashed one (the original's
 * ARGYBARGY_HASH_CODES=1: `code` is SHA-256 hex and `display` its mask) keeps its
 * hash and has no plaintext; a plain one is hashed here with `hash` and keeps its
 * plaintext, shown as itself.
 */
export function adoptCode(r: OriginalCodeRow, hash: (code: string) => string): CodeRow {
  const what = `code of ${r.name} in room ${r.room}`;
  const hashed = SHA256_HEX.test(r.code) && r.display !== r.code;
  return {
    hash: hashed ? r.code : hash(r.code),
    plain: hashed ? null : r.code,
    display: hashed ? r.display : r.code,
    name: r.name,
    room: r.room,
    capabilities: r.capabilities ?? '',
    created_at: originalTime(r.created, what),
    expires_at: r.expires === null || r.expires === '' ? null : originalTime(r.expires, what),
  };
}

/** One message of the original as ours (same id, room, seq and claim). */
export function adoptMessage(r: OriginalMessageRow): AdoptedMessage {
  return {
    id: r.id,
    room: r.room,
    seq: r.seq,
    at: originalTime(r.ts, `message ${r.room} #${r.seq}`),
    sender: r.sender,
    recipient: r.recipient,
    text: r.text,
    expects_reply: r.expects_reply || 'none',
    claimed_by: r.claimed_by || null,
    // The original had no threads.
    reply_to: null,
    answered_by: null,
    answered_at: null,
    // Nor leases: its claims hold for good, until answered, released or their holder's code ends.
    claim_expires_at: null,
    claim_lease: null,
    kind: null,
    reason: null,
  };
}

/** One audit row of the original as ours (same id; empty strings for the original's NULLs). */
export function adoptAudit(r: OriginalAuditRow): AdoptedAudit {
  return {
    id: r.id,
    at: originalTime(r.ts, `audit event ${r.id}`),
    action: r.action,
    actor: r.actor ?? '',
    room: r.room ?? '',
    detail: r.detail ?? '',
    class: auditClass(r.action),
  };
}

/**
 * Our `rooms` and `members` rows, gathered from the original's rows one at a time
 * (codes, messages and status rows, in any order), so an adoption can stream the
 * messages: what it keeps grows with the rooms and senders, never with the messages.
 * A room is every one a code, a message or a status row names; its counter continues
 * from the highest seq; `created_at` is the earliest time known for it (`nowMs` when
 * none is); a room the original closed stays closed, with its time and closer. A
 * member is each sender once per room, with its newest seq and that message's time.
 */
export class OriginalTally {
  private readonly rooms = new Map<string, RoomRow>();
  private readonly members = new Map<string, MemberRow>();

  constructor(private readonly nowMs: number) {}

  /** A code (as ours) names its room, created no later than the code. */
  code(c: CodeRow): void {
    this.seen(this.room(c.room), c.created_at);
  }

  /** A message (as ours) counts in its room and makes its sender a member. */
  message(m: AdoptedMessage): void {
    const r = this.room(m.room);
    this.seen(r, m.at);
    r.message_count += 1;
    if (m.seq > r.last_seq) {
      r.last_seq = m.seq;
      r.last_at = m.at;
    }
    const key = `${m.room}\u0000${m.sender}`;
    const cur = this.members.get(key);
    if (!cur || m.seq > cur.last_seq)
      this.members.set(key, { room: m.room, name: m.sender, last_seq: m.seq, last_at: m.at });
  }

  /** A status row of the original; throws OriginalDataError for a status other than open or closed. */
  status(s: OriginalRoomRow): void {
    const r = this.room(s.room);
    if (s.status === 'closed') {
      r.closed = 1;
      r.closed_at = s.closed_at ? originalTime(s.closed_at, `room ${s.room}`) : this.nowMs;
      r.closed_by = s.closed_by ?? null;
      this.seen(r, r.closed_at);
    } else if (s.status !== 'open') {
      throw new OriginalDataError(`room ${s.room} has an unknown status ${JSON.stringify(s.status)}`);
    }
  }

  /** Every room seen so far. */
  roomRows(): RoomRow[] {
    return [...this.rooms.values()].map((r) => ({
      ...r,
      created_at: Number.isFinite(r.created_at) ? r.created_at : this.nowMs,
    }));
  }

  /** Every member seen so far. */
  memberRows(): MemberRow[] {
    return [...this.members.values()];
  }

  private room(name: string): RoomRow {
    let r = this.rooms.get(name);
    if (!r) {
      r = {
        name,
        closed: 0,
        closed_at: null,
        closed_by: null,
        created_at: Number.POSITIVE_INFINITY,
        last_seq: 0,
        last_at: null,
        message_count: 0,
      };
      this.rooms.set(name, r);
    }
    return r;
  }

  private seen(r: RoomRow, at: number): void {
    r.created_at = Math.min(r.created_at, at);
  }
}
