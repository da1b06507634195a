import type { AuditClass } from '../domain/audit.js';
import type { CursorState } from '../domain/handout.js';
import type { ReopenReason } from '../domain/leases.js';
import type { StoredMessage } from '../domain/message.js';

/**
 * The Store: everything durable — codes, rooms, messages, membership, per-agent
 * state, settings and audit. The only module that touches SQL.
 *
 * Contract every backend keeps (the shared suite in test/store/contract.ts runs it
 * against SQLite and PostgreSQL):
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
 * - Visibility is `domain/visibility.ts`: a reader sees broadcasts and DMs to or
 *   from itself; `readSince` leaves out its own messages (it sent them), `history`
 *   keeps them.
 * - `claim` is first-writer-wins on `claimed_by IS NULL`, atomic across callers; an
 *   answered question cannot be claimed any more (the loser learns who answered).
 * - Threads: `reply_to` names a message of the same room that the sender may see
 *   (any message of the room for an operator post); `append` checks it inside its
 *   transaction, so a reply to a message that is gone, unknown or hidden from the
 *   sender is refused (`bad_reply_to`) and nothing is stored. In the same
 *   transaction it applies domain/answers.ts: the first eligible reply to a question
 *   sets `answered_by`/`answered_at` (and, for an unclaimed `anyone`, `claimed_by`,
 *   first writer wins against claims and other answers). A reply always points at an
 *   older seq, so threads have no cycles; `thread` walks them with recursive queries
 *   over the (room, reply_to) index.
 * - Claims are leases (domain/leases.ts): a won claim stores `claim_expires_at`
 *   (the question's claim_lease, else the caller's default; 0: null, for good); the
 *   holder claiming again renews it; an answer clears it. A claim ends unanswered by
 *   `releaseClaim` (its holder), or when `sweepClaims` finds its lease lapsed or its
 *   holder without a live code in the room. Each end is one conditional update
 *   (`claimed_by` still the holder, still unanswered, still due) with the notice
 *   (from NOTICE_SENDER, reply_to the question, kind 'claim_reopened') appended in
 *   the same transaction, so any number of concurrent sweeps, on any number of
 *   nodes, reopen a claim exactly once and post exactly one notice. A notice does not
 *   make NOTICE_SENDER a member of the room. `claim` reopens a lapsed lease itself
 *   before trying, so a claim never waits for the next sweep.
 * - Times are epoch milliseconds; the services format them.
 * - A backend that cannot reach its database throws `Unavailable` (domain/errors.ts).
 */
export interface Store {
  // ---- codes
  /** Stores a code unless `maxCodes` (> 0) codes already exist; null when refused. Atomic. */
  createCode(c: NewCode, maxCodes: number): Promise<CodeRecord | null>;
  /** The code with this hash, or null (unknown or revoked). Expired codes are returned: expiry is the caller's rule. */
  findCodeByHash(hash: string): Promise<CodeRecord | null>;
  /** Every stored code (expired ones included), oldest first. */
  listCodes(): Promise<CodeRecord[]>;
  /** How many codes are stored (expired ones included). */
  countCodes(): Promise<number>;
  /** True when `name` holds a code for `room` that has not expired at `nowMs`. */
  hasLiveCode(room: string, name: string, nowMs: number): Promise<boolean>;
  /** Deletes every code whose name is `target` (in `room`, when given) or whose hash is `targetHash`; returns the removed rows. */
  revokeCodes(target: string, targetHash: string, room?: string | null): Promise<CodeRecord[]>;
  /** Forgets stored plaintext codes (hashing switched on), keeping `mask(plain)` for listings; returns how many. */
  dropPlaintextCodes(mask: (plain: string) => string): Promise<number>;

  // ---- rooms
  /** Creates the room if it does not exist; true when it was created. */
  ensureRoom(room: string, nowMs: number): Promise<boolean>;
  /** The room's row, or null for a room nobody created, invited to or posted in. */
  getRoom(room: string): Promise<RoomRecord | null>;
  /** Every room, most recently active first. */
  listRooms(): Promise<RoomRecord[]>;
  /** Closes or reopens (creating the room if needed); reopening clears closed_at/closed_by. */
  setRoomStatus(room: string, closed: boolean, by: string, nowMs: number): Promise<RoomRecord>;

  // ---- messages
  /** Appends a message under the rules of AppendInput, atomically; says why when refused. */
  append(input: AppendInput): Promise<AppendResult>;
  /** Up to `limit` messages delivered to `reader` with seq > `since`, oldest first, and the room's last seq, from one snapshot. */
  readSince(room: string, reader: string, since: number, limit: number): Promise<ReadSnapshot>;
  /** The newest `limit` messages `reader` may see in `room`, oldest first. */
  history(room: string, reader: string, limit: number): Promise<StoredMessage[]>;
  /** The newest `limit` messages of one room or of all rooms, oldest first (operator view: DMs included). */
  recent(limit: number, room?: string): Promise<StoredMessage[]>;
  /**
   * Claims message `seq` for `reader` if it may see it and nobody answered it: the
   * first claimer wins, later ones learn who did (or who answered); the holder
   * claiming again renews its lease. `lease` (absent: claims hold for good, nothing
   * lapses) gives the time and the default lease; a lapsed lease is reopened first.
   */
  claim(room: string, seq: number, reader: string, lease?: ClaimLease): Promise<ClaimResult>;
  /** Ends `reader`'s claim on `seq` unanswered and posts the notice (reason 'released'); says why not otherwise. */
  releaseClaim(room: string, seq: number, reader: string, nowMs: number, maxPerRoom: number): Promise<ReleaseResult>;
  /**
   * Reopens every claim of an open room that is due at `nowMs`: its lease lapsed, or
   * its holder holds no live code in the room (revoked, or expired). One notice each;
   * returns what it reopened. Safe to run concurrently anywhere.
   */
  sweepClaims(nowMs: number, maxPerRoom: number): Promise<Reopened[]>;
  /**
   * The thread of message `seq` as `reader` sees it: its root (walking reply_to up
   * through messages the reader may see) and the root's replies, transitively,
   * through messages the reader may see; oldest first, at most `limit` (the root
   * first). Null when `seq` is not a message of the room the reader may see.
   */
  thread(room: string, reader: string, seq: number, limit: number): Promise<ThreadRead | null>;
  /** Every stored message asking for a reply that nobody has answered yet, in open rooms, oldest first. */
  openRoomQuestions(): Promise<StoredMessage[]>;
  /** Durable membership of one room: unexpired code holders and everyone who has posted. */
  members(room: string, nowMs: number): Promise<Set<string>>;
  /** Everyone who has posted, per room, with their last seq and time, and whether the operator posted under the name. */
  senders(): Promise<SenderRecord[]>;
  /** How many messages are stored, across all rooms. */
  countMessages(): Promise<number>;
  /**
   * How many rooms hold at least one stored message: the original's /admin/stats
   * `rooms`. A room only invited to, created or closed, with no message, is not counted.
   */
  countRoomsWithMessages(): Promise<number>;

  // ---- per-agent state
  /** The agent's server-side cursor and its pending handout (NO_CURSOR when it has none). */
  readCursor(room: string, name: string): Promise<CursorState>;
  /**
   * Compare-and-set: writes `next` (with a new rev) only if the cursor's rev is still
   * `rev` (0: no cursor yet). False when another write came first: read again.
   */
  moveCursor(room: string, name: string, rev: number, next: Omit<CursorState, 'rev'>): Promise<boolean>;
  /** Marks the pending handout of request `req` cancelled (domain/handout.ts); false when `req` holds none. */
  cancelHandout(room: string, name: string, req: string): Promise<boolean>;
  /** Puts the agent's server-side cursor at `seq` with nothing pending (any value; a new holder starts at 0). */
  setCursor(room: string, name: string, seq: number): Promise<void>;
  /** Registers (or replaces) the agent's webhook. */
  putWebhook(w: WebhookRecord): Promise<void>;
  /** Removes the agent's webhook; true when there was one. */
  deleteWebhook(room: string, name: string): Promise<boolean>;
  /** The webhooks registered by agents of `room`. */
  webhooksIn(room: string): Promise<WebhookRecord[]>;
  /** Every webhook, by room and name. */
  listWebhooks(): Promise<WebhookRecord[]>;

  // ---- settings
  /** The value stored under `key`, or null. */
  getSetting(key: string): Promise<string | null>;
  /** Stores `value` unless the key has one; returns what the key holds afterwards. */
  initSetting(key: string, value: string): Promise<string>;
  /** Stores `value` under `key`, replacing any value. */
  setSetting(key: string, value: string): Promise<void>;

  // ---- audit
  /** Appends an audit event; the log keeps the newest `auditKeep` events of each class (domain/audit.ts). */
  audit(e: AuditInput): Promise<void>;
  /** The newest `limit` audit events (of one class, or of all), oldest first. */
  recentAudit(limit: number, cls?: AuditClass): Promise<AuditRecord[]>;

  /**
   * Calls `listener` when another process changes the database (embedded: a CLI
   * command writing the same file), looked for at least every 200 ms; returns a
   * function that stops watching. A cluster store never calls it: changes made by
   * other nodes travel through live state.
   */
  watchExternalChanges(listener: () => void): () => void;

  /** True when the store answers (readiness). */
  ping(): Promise<boolean>;
  /** Finishes pending writes and closes the database. */
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
  /**
   * Posted by the operator (POST /admin/say): marks the sender as an operator name of the room, for good,
   * unless a code of the room (live or expired) holds that name; checked inside the append.
   */
  byOperator?: boolean;
  /** The seq of the message this one replies to (null or absent: none); must exist in the room and be visible to the sender. */
  replyTo?: number | null;
  /** The sender may reply to any message of the room, DMs between others included (the operator). */
  seesAll?: boolean;
  /** Seconds a claim on this question holds (0: for good); null or absent: the bridge's default at claim time. */
  claimLease?: number | null;
}

/** What a claim needs to know of leases. */
export interface ClaimLease {
  /** The time of the claim, epoch ms. */
  nowMs: number;
  /** Seconds a claim holds when the question asked for no claim_lease (ARGYBARGY_CLAIM_LEASE_SECONDS; 0: for good). */
  defaultSeconds: number;
  /** The room's retention (AppendInput.maxPerRoom), for the notice of a lapsed lease reopened first. */
  maxPerRoom: number;
}

/** A claim that ended unanswered: the question as now stored (unclaimed), who held it, why, and the notice posted. */
export interface Reopened {
  question: StoredMessage;
  holder: string;
  reason: ReopenReason;
  notice: StoredMessage;
}

export type AppendResult =
  | {
      ok: true;
      message: StoredMessage /** The question this reply answered, as now stored; null when none. */;
      answered: StoredMessage | null;
    }
  | { ok: false; reason: 'room_closed'; room: RoomRecord }
  | { ok: false; reason: 'room_quota' }
  /** replyTo is not a message of the room the sender may see (unknown, removed by retention, or a DM between others). */
  | { ok: false; reason: 'bad_reply_to' };

export interface ThreadRead {
  /** The thread's root: the oldest message of the thread the reader may see. */
  root: StoredMessage;
  /** The root and its replies, oldest first. */
  messages: StoredMessage[];
  /** True when `limit` cut the thread short. */
  truncated: boolean;
}

export interface ReadSnapshot {
  messages: StoredMessage[];
  /** The room's newest seq at the moment of the read (0 for an empty or unknown room). */
  lastSeq: number;
  room: RoomRecord | null;
  /** True when `limit` cut the answer short. */
  truncated: boolean;
}

/**
 * A claim's outcome. A lost claim names the claimant, or the answerer when an
 * answered question was never claimed. `leaseExpiresAt`: when the holder's claim
 * lapses (epoch ms; null: for good, or answered). `reopened`: set when the claim
 * first reopened a lapsed lease (its notice is to be announced).
 */
export type ClaimResult =
  | { found: false }
  | {
      found: true;
      won: boolean;
      claimedBy: string;
      answeredBy: string | null;
      leaseExpiresAt: number | null;
      /** Present (true) when the holder claimed again: its lease was renewed (won is true; the service answers the original's 409). */
      renewed?: true;
      reopened?: Reopened;
    };

/** A release's outcome: released (with the reopening), or why not — nobody holds it, someone else does, or it was answered. */
export type ReleaseResult =
  | { found: false }
  | { found: true; released: true; reopened: Reopened }
  | { found: true; released: false; claimedBy: string | null; answeredBy: string | null };

export interface SenderRecord {
  room: string;
  name: string;
  lastSeq: number;
  lastAt: number;
  /** True once the operator has posted under this name in this room (sticky). */
  operator: boolean;
}

export interface WebhookRecord {
  room: string;
  name: string;
  url: string;
  secret: string;
  includeText: boolean;
  createdAt: number;
  /** The code that registered it: when that code is revoked or expires, the webhook is silenced. */
  codeHash: string;
}

/** Settings every backend takes. */
export interface StoreOptions {
  /** Audit events kept per class (default AUDIT_KEEP). */
  auditKeep?: number;
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
  class: AuditClass;
}
