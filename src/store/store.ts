import type { StoredMessage } from '../domain/message.js';

/**
 * The Store: everything durable — codes, rooms, messages, membership, audit.
 *
 * Contract every backend keeps (the shared suite in test/store.contract.ts checks it):
 * - `seq` is per room, starts at 1, rises by exactly 1 per accepted message and is
 *   never reused: not after retention deletes old rows, not after a restart. The
 *   room row carries the counter, so the counter outlives the messages.
 * - `append` is atomic: the room checks (closed, quota), the insert, the counter,
 *   membership and retention happen together or not at all.
 * - Retention keeps the newest `maxPerRoom` messages of a room (0 = all); it only
 *   ever removes the oldest, by seq range, so it costs an index range per insert.
 * - `readSince` returns messages and the room's last seq from one snapshot, so a
 *   cursor built from it never skips a message posted concurrently.
 * - "since" is exclusive: `readSince(room, r, S)` returns seq > S.
 * - Visibility: a reader sees broadcasts and DMs to or from itself; never its own
 *   messages from `readSince` (it sent them), but yes from `history`.
 * - `claim` is first-writer-wins on `claimed_by IS NULL`, atomic across callers.
 * - Times are epoch milliseconds; the HTTP layer formats them.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';

  // ---- codes
  /** Stores a code unless `maxCodes` (> 0) codes already exist; null when refused. Atomic. */
  createCode(c: NewCode, maxCodes: number): Promise<CodeRecord | null>;
  /** The live code with this hash, or null (unknown or revoked). Expiry is the caller's rule. */
  findCodeByHash(hash: string): Promise<CodeRecord | null>;
  listCodes(): Promise<CodeRecord[]>;
  countCodes(): Promise<number>;
  /** Deletes every code whose name is `target` or whose hash is `targetHash`; returns the removed rows. */
  revokeCodes(target: string, targetHash: string): Promise<CodeRecord[]>;
  /** Forgets stored plaintext codes (hashing switched on), keeping `mask(plain)` for listings; returns how many. */
  dropPlaintextCodes(mask: (plain: string) => string): Promise<number>;

  // ---- rooms
  /** Creates the room if it does not exist; true when it was created. */
  ensureRoom(room: string, nowMs: number): Promise<boolean>;
  getRoom(room: string): Promise<RoomRecord | null>;
  listRooms(): Promise<RoomRecord[]>;
  /** Closes or reopens (creating the room if needed); reopening clears closed_at/closed_by. */
  setRoomStatus(room: string, closed: boolean, by: string, nowMs: number): Promise<RoomRecord>;

  // ---- messages
  append(input: AppendInput): Promise<AppendResult>;
  readSince(room: string, reader: string, since: number, limit: number): Promise<ReadSnapshot>;
  /** The newest `limit` messages `reader` may see in `room`, oldest first. */
  history(room: string, reader: string, limit: number): Promise<StoredMessage[]>;
  /** The newest `limit` messages of one room or of all rooms, oldest first (operator view: DMs included). */
  recent(limit: number, room?: string): Promise<StoredMessage[]>;
  claim(room: string, seq: number, reader: string): Promise<ClaimResult>;
  /** Every stored message asking for a reply, in open rooms, oldest first. */
  openRoomQuestions(): Promise<StoredMessage[]>;
  /** Durable membership of one room: unexpired code holders and everyone who has posted. */
  members(room: string, nowMs: number): Promise<Set<string>>;
  /** Everyone who has posted, per room, with their last seq and time. */
  senders(): Promise<SenderRecord[]>;
  countMessages(): Promise<number>;

  // ---- per-agent state
  /** Where the agent's server-side cursor stands (0 when it has none). */
  getCursor(room: string, name: string): Promise<number>;
  setCursor(room: string, name: string, seq: number): Promise<void>;
  /** Registers (or replaces) the agent's webhook. */
  putWebhook(w: WebhookRecord): Promise<void>;
  /** Removes the agent's webhook; true when there was one. */
  deleteWebhook(room: string, name: string): Promise<boolean>;
  webhooksIn(room: string): Promise<WebhookRecord[]>;

  // ---- settings
  getSetting(key: string): Promise<string | null>;
  /** Stores `value` unless the key has one; returns what the key holds afterwards. */
  initSetting(key: string, value: string): Promise<string>;
  setSetting(key: string, value: string): Promise<void>;

  // ---- audit
  audit(e: AuditInput): Promise<void>;
  recentAudit(limit: number): Promise<AuditRecord[]>;

  /** True when the store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface NewCode {
  hash: string;
  /** The plaintext, kept only when codes are not hashed at rest. */
  plain: string | null;
  /** What listings show: the plaintext, or a masked form. */
  display: string;
  name: string;
  room: string;
  capabilities: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface CodeRecord extends NewCode {}

export interface RoomRecord {
  name: string;
  closed: boolean;
  closedAt: number | null;
  closedBy: string | null;
  createdAt: number;
  lastSeq: number;
  lastAt: number | null;
  messageCount: number;
}

export interface AppendInput {
  room: string;
  from: string;
  to: string;
  text: string;
  expectsReply: string;
  at: number;
  /** Refuse when the room is closed (agents); the operator may post into a closed room. */
  requireOpen: boolean;
  /** Refuse the first message of a room when this many rooms already have messages (0 = no limit). */
  maxRooms: number;
  /** Keep at most this many messages in the room (0 = all). */
  maxPerRoom: number;
}

export type AppendResult =
  | { ok: true; message: StoredMessage }
  | { ok: false; reason: 'room_closed'; room: RoomRecord }
  | { ok: false; reason: 'room_quota' };

export interface ReadSnapshot {
  messages: StoredMessage[];
  /** The room's newest seq at the moment of the read (0 for an empty or unknown room). */
  lastSeq: number;
  room: RoomRecord | null;
  /** True when `limit` cut the answer short. */
  truncated: boolean;
}

export type ClaimResult = { found: false } | { found: true; won: boolean; claimedBy: string };

export interface SenderRecord {
  room: string;
  name: string;
  lastSeq: number;
  lastAt: number;
}

export interface WebhookRecord {
  room: string;
  name: string;
  url: string;
  secret: string;
  includeText: boolean;
  createdAt: number;
}

export interface AuditInput {
  at: number;
  action: string;
  actor?: string;
  room?: string;
  detail?: string;
}

export interface AuditRecord {
  at: number;
  action: string;
  actor: string;
  room: string;
  detail: string;
}
