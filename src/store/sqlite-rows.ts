import type { StoredMessage } from '../domain/message.js';
import type { CodeRecord, RoomRecord } from './store.js';

/** Rows as SQLite returns them, and their records. */

export interface RoomRow {
  name: string;
  closed: number;
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

export function toRoom(r: RoomRow): RoomRecord {
  return {
    name: r.name,
    closed: r.closed === 1,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    createdAt: r.created_at,
    lastSeq: r.last_seq,
    lastAt: r.last_at,
    messageCount: r.message_count,
  };
}

export function toMessage(r: MessageRow): StoredMessage {
  return {
    room: r.room,
    seq: r.seq,
    at: r.at,
    from: r.sender,
    to: r.recipient,
    text: r.text,
    expects_reply: r.expects_reply,
    claimed_by: r.claimed_by,
  };
}

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
