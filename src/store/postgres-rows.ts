import type { StoredMessage } from '../domain/message.js';
import type { CodeRecord, RoomRecord } from './store.js';

/** Rows as PostgreSQL returns them, their records, and what the database cannot hold. */

/** Errors that mean "the database is not there right now", not "the query is wrong". */
export const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

export function unreachable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (err?.code && UNREACHABLE.has(err.code)) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err?.message ?? '',
  );
}

export interface RoomRow {
  name: string;
  closed: boolean;
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

export const toRoom = (r: RoomRow): RoomRecord => ({
  name: r.name,
  closed: r.closed,
  closedAt: r.closed_at,
  closedBy: r.closed_by,
  createdAt: r.created_at,
  lastSeq: r.last_seq,
  lastAt: r.last_at,
  messageCount: r.message_count,
});

export const toMessage = (r: MessageRow): StoredMessage => ({
  room: r.room,
  seq: r.seq,
  at: r.at,
  from: r.sender,
  to: r.recipient,
  text: decodeText(r.text),
  expects_reply: r.expects_reply,
  claimed_by: r.claimed_by,
});

export const toCode = (r: CodeRow): CodeRecord => ({
  hash: r.hash,
  plain: r.plain,
  display: r.display,
  name: r.name,
  room: r.room,
  capabilities: r.capabilities,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

export const MSG_COLS = 'room, seq, at, sender, recipient, text, expects_reply, claimed_by';

// PostgreSQL text cannot hold U+0000, which a message may. Texts that contain it (or
// that begin with the marker) are stored marked and escaped; every other text is
// stored as it is.
export const MARK = '\u0001';

/** The text as stored: unchanged unless it holds U+0000 or starts with the marker. */
export function encodeText(t: string): string {
  if (!t.includes('\u0000') && !t.startsWith(MARK)) return t;
  return MARK + t.replaceAll(MARK, MARK + MARK).replaceAll('\u0000', `${MARK}0`);
}

/** The text as sent, from what encodeText stored. */
export function decodeText(s: string): string {
  if (!s.startsWith(MARK)) return s;
  let out = '';
  for (let i = 1; i < s.length; i++) {
    if (s[i] === MARK && i + 1 < s.length) {
      out += s[i + 1] === MARK ? MARK : '\u0000';
      i++;
    } else out += s[i];
  }
  return out;
}
