import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { StoredMessage } from '../domain/message.js';
import { migrate } from './sqlite-schema.js';
import type {
  AppendInput,
  AppendResult,
  AuditInput,
  AuditRecord,
  ClaimResult,
  CodeRecord,
  NewCode,
  ReadSnapshot,
  RoomRecord,
  SenderRecord,
  Store,
} from './store.js';

/** How many audit events the embedded store keeps (oldest are pruned). */
const AUDIT_KEEP = 100_000;

interface RoomRow {
  name: string;
  closed: number;
  closed_at: number | null;
  closed_by: string | null;
  created_at: number;
  last_seq: number;
  last_at: number | null;
  message_count: number;
}

interface MessageRow {
  room: string;
  seq: number;
  at: number;
  sender: string;
  recipient: string;
  text: string;
  expects_reply: string;
  claimed_by: string | null;
}

interface CodeRow {
  hash: string;
  plain: string | null;
  display: string;
  name: string;
  room: string;
  capabilities: string;
  created_at: number;
  expires_at: number | null;
}

const MSG_COLS = 'room, seq, at, sender, recipient, text, expects_reply, claimed_by';

function toRoom(r: RoomRow): RoomRecord {
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

function toMessage(r: MessageRow): StoredMessage {
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

function toCode(r: CodeRow): CodeRecord {
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

/** Creates the file owner-only before SQLite opens it, so the -wal/-shm files inherit 0600. */
function createPrivate(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

/** The embedded Store: one SQLite file in WAL mode, driven synchronously by better-sqlite3. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private auditWrites = 0;
  private readonly q;

  constructor(path: string) {
    if (path !== ':memory:') createPrivate(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash or kill of the process; only an
    // OS crash or power cut can lose the last few transactions.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    // Overwrite deleted rows, so a revoked or re-hashed code leaves no plaintext behind in free pages.
    this.db.pragma('secure_delete = ON');
    migrate(this.db);
    const db = this.db;
    this.q = {
      insertCode: db.prepare(
        `INSERT INTO codes (hash, plain, display, name, room, capabilities, created_at, expires_at)
         VALUES (@hash, @plain, @display, @name, @room, @capabilities, @createdAt, @expiresAt)`,
      ),
      codeByHash: db.prepare('SELECT * FROM codes WHERE hash = ?'),
      listCodes: db.prepare('SELECT * FROM codes ORDER BY created_at, name'),
      countCodes: db.prepare('SELECT count(*) AS n FROM codes').pluck(),
      codesToRevoke: db.prepare('SELECT * FROM codes WHERE name = ? OR hash = ?'),
      revoke: db.prepare('DELETE FROM codes WHERE name = ? OR hash = ?'),
      plainCodes: db.prepare('SELECT hash, plain FROM codes WHERE plain IS NOT NULL'),
      dropPlain: db.prepare('UPDATE codes SET plain = NULL, display = ? WHERE hash = ?'),
      insertRoom: db.prepare('INSERT OR IGNORE INTO rooms (name, created_at) VALUES (?, ?)'),
      room: db.prepare('SELECT * FROM rooms WHERE name = ?'),
      rooms: db.prepare('SELECT * FROM rooms ORDER BY coalesce(last_at, created_at) DESC, name'),
      close: db.prepare('UPDATE rooms SET closed = 1, closed_at = ?, closed_by = ? WHERE name = ? AND closed = 0'),
      reopen: db.prepare('UPDATE rooms SET closed = 0, closed_at = NULL, closed_by = NULL WHERE name = ?'),
      activeRooms: db.prepare('SELECT count(*) FROM rooms WHERE last_seq > 0').pluck(),
      bumpRoom: db.prepare(
        'UPDATE rooms SET last_seq = last_seq + 1, last_at = ?, message_count = message_count + 1 WHERE name = ? RETURNING last_seq, message_count',
      ),
      insertMessage: db.prepare(
        `INSERT INTO messages (room, seq, at, sender, recipient, text, expects_reply)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertMember: db.prepare(
        `INSERT INTO members (room, name, last_seq, last_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (room, name) DO UPDATE SET last_seq = excluded.last_seq, last_at = excluded.last_at`,
      ),
      prune: db.prepare('DELETE FROM messages WHERE room = ? AND seq <= ?'),
      uncount: db.prepare('UPDATE rooms SET message_count = message_count - ? WHERE name = ?'),
      since: db.prepare(
        `SELECT ${MSG_COLS} FROM messages
         WHERE room = ? AND seq > ? AND sender <> ? AND (recipient = 'all' OR recipient = ?)
         ORDER BY seq LIMIT ?`,
      ),
      history: db.prepare(
        `SELECT ${MSG_COLS} FROM messages
         WHERE room = ? AND (recipient = 'all' OR recipient = ? OR sender = ?)
         ORDER BY seq DESC LIMIT ?`,
      ),
      recentAll: db.prepare(`SELECT ${MSG_COLS} FROM messages ORDER BY id DESC LIMIT ?`),
      recentRoom: db.prepare(`SELECT ${MSG_COLS} FROM messages WHERE room = ? ORDER BY seq DESC LIMIT ?`),
      claim: db.prepare(
        `UPDATE messages SET claimed_by = ?
         WHERE room = ? AND seq = ? AND claimed_by IS NULL AND (recipient = 'all' OR recipient = ? OR sender = ?)`,
      ),
      claimedBy: db.prepare(
        `SELECT claimed_by FROM messages
         WHERE room = ? AND seq = ? AND (recipient = 'all' OR recipient = ? OR sender = ?)`,
      ),
      questions: db.prepare(
        `SELECT ${MSG_COLS.replace(/(\w+)/g, 'm.$1')} FROM messages m JOIN rooms r ON r.name = m.room
         WHERE m.expects_reply <> 'none' AND r.closed = 0 ORDER BY m.id`,
      ),
      memberNames: db.prepare(
        `SELECT name FROM members WHERE room = ?
         UNION SELECT name FROM codes WHERE room = ? AND (expires_at IS NULL OR expires_at > ?)`,
      ),
      senders: db.prepare('SELECT room, name, last_seq, last_at FROM members ORDER BY room, name'),
      countMessages: db.prepare('SELECT coalesce(sum(message_count), 0) FROM rooms').pluck(),
      insertAudit: db.prepare('INSERT INTO audit (at, action, actor, room, detail) VALUES (?, ?, ?, ?, ?)'),
      pruneAudit: db.prepare('DELETE FROM audit WHERE id <= (SELECT max(id) FROM audit) - ?'),
      recentAudit: db.prepare('SELECT at, action, actor, room, detail FROM audit ORDER BY id DESC LIMIT ?'),
    };
  }

  async createCode(c: NewCode, maxCodes: number): Promise<CodeRecord | null> {
    return this.db
      .transaction(() => {
        if (maxCodes > 0 && (this.q.countCodes.get() as number) >= maxCodes) return null;
        this.q.insertCode.run(c);
        return { ...c };
      })
      .immediate();
  }

  async findCodeByHash(hash: string): Promise<CodeRecord | null> {
    const r = this.q.codeByHash.get(hash) as CodeRow | undefined;
    return r ? toCode(r) : null;
  }

  async listCodes(): Promise<CodeRecord[]> {
    return (this.q.listCodes.all() as CodeRow[]).map(toCode);
  }

  async countCodes(): Promise<number> {
    return this.q.countCodes.get() as number;
  }

  async revokeCodes(target: string, targetHash: string): Promise<CodeRecord[]> {
    return this.db.transaction(() => {
      const rows = (this.q.codesToRevoke.all(target, targetHash) as CodeRow[]).map(toCode);
      this.q.revoke.run(target, targetHash);
      return rows;
    })();
  }

  async dropPlaintextCodes(mask: (plain: string) => string): Promise<number> {
    return this.db.transaction(() => {
      const rows = this.q.plainCodes.all() as Array<{ hash: string; plain: string }>;
      for (const r of rows) this.q.dropPlain.run(mask(r.plain), r.hash);
      return rows.length;
    })();
  }

  async ensureRoom(room: string, nowMs: number): Promise<boolean> {
    return this.q.insertRoom.run(room, nowMs).changes === 1;
  }

  async getRoom(room: string): Promise<RoomRecord | null> {
    const r = this.q.room.get(room) as RoomRow | undefined;
    return r ? toRoom(r) : null;
  }

  async listRooms(): Promise<RoomRecord[]> {
    return (this.q.rooms.all() as RoomRow[]).map(toRoom);
  }

  async setRoomStatus(room: string, closed: boolean, by: string, nowMs: number): Promise<RoomRecord> {
    return this.db.transaction(() => {
      this.q.insertRoom.run(room, nowMs);
      if (closed) this.q.close.run(nowMs, by, room);
      else this.q.reopen.run(room);
      return toRoom(this.q.room.get(room) as RoomRow);
    })();
  }

  async append(input: AppendInput): Promise<AppendResult> {
    return this.db
      .transaction((): AppendResult => {
        const existing = this.q.room.get(input.room) as RoomRow | undefined;
        if (input.requireOpen && existing?.closed === 1)
          return { ok: false, reason: 'room_closed', room: toRoom(existing) };
        if (input.maxRooms > 0 && (!existing || existing.last_seq === 0)) {
          if ((this.q.activeRooms.get() as number) >= input.maxRooms) return { ok: false, reason: 'room_quota' };
        }
        if (!existing) this.q.insertRoom.run(input.room, input.at);
        const bumped = this.q.bumpRoom.get(input.at, input.room) as { last_seq: number; message_count: number };
        const seq = bumped.last_seq;
        this.q.insertMessage.run(input.room, seq, input.at, input.from, input.to, input.text, input.expectsReply);
        this.q.upsertMember.run(input.room, input.from, seq, input.at);
        if (input.maxPerRoom > 0 && bumped.message_count > input.maxPerRoom) {
          const removed = this.q.prune.run(input.room, seq - input.maxPerRoom).changes;
          if (removed > 0) this.q.uncount.run(removed, input.room);
        }
        return {
          ok: true,
          message: {
            room: input.room,
            seq,
            at: input.at,
            from: input.from,
            to: input.to,
            text: input.text,
            expects_reply: input.expectsReply,
            claimed_by: null,
          },
        };
      })
      .immediate();
  }

  async readSince(room: string, reader: string, since: number, limit: number): Promise<ReadSnapshot> {
    // One read transaction: the rows and the room's counter come from the same snapshot.
    return this.db.transaction((): ReadSnapshot => {
      const r = this.q.room.get(room) as RoomRow | undefined;
      if (!r || r.last_seq <= since) {
        return { messages: [], lastSeq: r?.last_seq ?? 0, room: r ? toRoom(r) : null, truncated: false };
      }
      const rows = this.q.since.all(room, since, reader, reader, limit + 1) as MessageRow[];
      const truncated = rows.length > limit;
      if (truncated) rows.length = limit;
      return { messages: rows.map(toMessage), lastSeq: r.last_seq, room: toRoom(r), truncated };
    })();
  }

  async history(room: string, reader: string, limit: number): Promise<StoredMessage[]> {
    return (this.q.history.all(room, reader, reader, limit) as MessageRow[]).reverse().map(toMessage);
  }

  async recent(limit: number, room?: string): Promise<StoredMessage[]> {
    const rows = (
      room === undefined ? this.q.recentAll.all(limit) : this.q.recentRoom.all(room, limit)
    ) as MessageRow[];
    return rows.reverse().map(toMessage);
  }

  async claim(room: string, seq: number, reader: string): Promise<ClaimResult> {
    return this.db
      .transaction((): ClaimResult => {
        if (this.q.claim.run(reader, room, seq, reader, reader).changes === 1) {
          return { found: true, won: true, claimedBy: reader };
        }
        const row = this.q.claimedBy.get(room, seq, reader, reader) as { claimed_by: string | null } | undefined;
        if (!row || row.claimed_by === null) return { found: false };
        return { found: true, won: false, claimedBy: row.claimed_by };
      })
      .immediate();
  }

  async openRoomQuestions(): Promise<StoredMessage[]> {
    return (this.q.questions.all() as MessageRow[]).map(toMessage);
  }

  async members(room: string, nowMs: number): Promise<Set<string>> {
    return new Set(this.q.memberNames.pluck().all(room, room, nowMs) as string[]);
  }

  async senders(): Promise<SenderRecord[]> {
    return (this.q.senders.all() as Array<{ room: string; name: string; last_seq: number; last_at: number }>).map(
      (r) => ({ room: r.room, name: r.name, lastSeq: r.last_seq, lastAt: r.last_at }),
    );
  }

  async countMessages(): Promise<number> {
    return this.q.countMessages.get() as number;
  }

  async audit(e: AuditInput): Promise<void> {
    this.q.insertAudit.run(e.at, e.action, e.actor ?? '', e.room ?? '', e.detail ?? '');
    if (++this.auditWrites % 1000 === 0) this.q.pruneAudit.run(AUDIT_KEEP);
  }

  async recentAudit(limit: number): Promise<AuditRecord[]> {
    return (this.q.recentAudit.all(limit) as AuditRecord[]).reverse();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
