import type Database from 'better-sqlite3';
import { MSG_COLS } from './rows.js';

/** What `reader` may see of message alias `m` (domain/visibility.ts), with the reader as @r. */
const VISIBLE_M = "(m.recipient = 'all' OR m.recipient = @r OR m.sender = @r)";

/** Every statement the embedded store runs, prepared once. */
export function prepareStatements(db: Database.Database) {
  return {
    insertCode: db.prepare(
      `INSERT INTO codes (hash, plain, display, name, room, capabilities, created_at, expires_at)
         VALUES (@hash, @plain, @display, @name, @room, @capabilities, @createdAt, @expiresAt)`,
    ),
    codeByHash: db.prepare('SELECT * FROM codes WHERE hash = ?'),
    listCodes: db.prepare('SELECT * FROM codes ORDER BY created_at, name'),
    countCodes: db.prepare('SELECT count(*) AS n FROM codes').pluck(),
    hasLiveCode: db
      .prepare('SELECT 1 FROM codes WHERE room = ? AND name = ? AND (expires_at IS NULL OR expires_at > ?) LIMIT 1')
      .pluck(),
    codesToRevoke: db.prepare(
      'SELECT * FROM codes WHERE (name = @target AND (@room IS NULL OR room = @room)) OR hash = @hash',
    ),
    revoke: db.prepare('DELETE FROM codes WHERE (name = @target AND (@room IS NULL OR room = @room)) OR hash = @hash'),
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
      `INSERT INTO messages (room, seq, at, sender, recipient, text, expects_reply, reply_to, claim_lease, kind, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    messageAt: db.prepare(`SELECT ${MSG_COLS} FROM messages WHERE room = ? AND seq = ?`),
    // The first eligible answer settles a question (and ends its lease); an answer to an unclaimed anyone also claims it.
    answer: db.prepare(
      `UPDATE messages SET answered_by = @by, answered_at = @at, claim_expires_at = NULL,
         claimed_by = CASE WHEN @claims = 1 THEN @by ELSE claimed_by END
       WHERE room = @room AND seq = @seq AND answered_by IS NULL`,
    ),
    // The thread of @seq as @r sees it: up through visible ancestors to the root, then
    // every visible reply below it, transitively. reply_to always points at an older
    // seq, so neither walk can loop, and the root is the thread's lowest seq.
    thread: db.prepare(
      `WITH RECURSIVE up(seq, reply_to, depth) AS (
         SELECT m.seq, m.reply_to, 0 FROM messages m WHERE m.room = @room AND m.seq = @seq AND ${VISIBLE_M}
         UNION ALL
         SELECT m.seq, m.reply_to, up.depth + 1 FROM up JOIN messages m ON m.room = @room AND m.seq = up.reply_to
         WHERE ${VISIBLE_M}
       ), root(seq) AS (SELECT seq FROM up ORDER BY depth DESC LIMIT 1),
       t(seq) AS (
         SELECT seq FROM root
         UNION ALL
         -- CROSS JOIN keeps t outside, so each step is one index lookup of (room, reply_to).
         SELECT m.seq FROM t CROSS JOIN messages m WHERE m.room = @room AND m.reply_to = t.seq AND ${VISIBLE_M}
       )
       SELECT ${MSG_COLS} FROM messages WHERE room = @room AND seq IN (SELECT seq FROM t) ORDER BY seq LIMIT @limit`,
    ),
    upsertMember: db.prepare(
      // The operator flag sticks only for a name no code of the room holds (an agent's name stays an agent's).
      `INSERT INTO members (room, name, last_seq, last_at, operator)
         VALUES (@room, @name, @seq, @at, @byOperator AND NOT EXISTS (SELECT 1 FROM codes WHERE room = @room AND name = @name))
         ON CONFLICT (room, name) DO UPDATE SET last_seq = excluded.last_seq, last_at = excluded.last_at,
           operator = max(members.operator, excluded.operator)`,
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
    // First writer wins on an unclaimed question; the holder claiming again renews its lease.
    claim: db.prepare(
      `UPDATE messages SET claimed_by = @r,
         claim_expires_at = CASE WHEN coalesce(claim_lease, @dflt) > 0 THEN @now + coalesce(claim_lease, @dflt) * 1000 END
       WHERE room = @room AND seq = @seq AND (claimed_by IS NULL OR claimed_by = @r) AND answered_by IS NULL
         AND ${VISIBLE_M.replace(/m\./g, '')}
       RETURNING claim_expires_at`,
    ),
    claimedBy: db.prepare(
      `SELECT claimed_by, answered_by, claim_expires_at FROM messages
         WHERE room = @room AND seq = @seq AND ${VISIBLE_M.replace(/m\./g, '')}`,
    ),
    // The claims of open rooms due at @now (domain/leases.ts lapseReason): a lapsed
    // lease, or a holder without a live code in the room. Reads only open claims.
    dueClaims: db.prepare(
      `SELECT room, seq, holder, expires, code FROM (
         SELECT m.room, m.seq, m.claimed_by AS holder, m.claim_expires_at AS expires,
           CASE WHEN EXISTS (SELECT 1 FROM codes c WHERE c.room = m.room AND c.name = m.claimed_by
                               AND (c.expires_at IS NULL OR c.expires_at > @now)) THEN 'live'
                WHEN EXISTS (SELECT 1 FROM codes c WHERE c.room = m.room AND c.name = m.claimed_by) THEN 'expired'
                ELSE 'none' END AS code
         FROM messages m JOIN rooms r ON r.name = m.room
         WHERE m.claimed_by IS NOT NULL AND m.answered_by IS NULL AND r.closed = 0
       ) WHERE expires <= @now OR code <> 'live' ORDER BY room, seq LIMIT @limit`,
    ),
    // Ends a claim unanswered, only while @holder still holds it: the conditional update every end is.
    unclaim: db.prepare(
      `UPDATE messages SET claimed_by = NULL, claim_expires_at = NULL
       WHERE room = @room AND seq = @seq AND claimed_by = @holder AND answered_by IS NULL`,
    ),
    questions: db.prepare(
      `SELECT ${MSG_COLS.replace(/(\w+)/g, 'm.$1')} FROM messages m JOIN rooms r ON r.name = m.room
         WHERE m.expects_reply <> 'none' AND m.answered_by IS NULL AND r.closed = 0 ORDER BY m.id`,
    ),
    memberNames: db
      .prepare(
        `SELECT name FROM members WHERE room = ?
         UNION SELECT name FROM codes WHERE room = ? AND (expires_at IS NULL OR expires_at > ?)`,
      )
      .pluck(),
    senders: db.prepare('SELECT room, name, last_seq, last_at, operator FROM members ORDER BY room, name'),
    countMessages: db.prepare('SELECT coalesce(sum(message_count), 0) FROM rooms').pluck(),
    countRoomsWithMessages: db.prepare('SELECT count(*) FROM rooms WHERE message_count > 0').pluck(),
    insertAudit: db.prepare('INSERT INTO audit (at, action, actor, room, detail, class) VALUES (?, ?, ?, ?, ?, ?)'),
    // Keeps the newest `keep` events of one class: everything older than the keep-th newest goes.
    pruneAudit: db.prepare(
      'DELETE FROM audit WHERE class = @cls AND id < (SELECT id FROM audit WHERE class = @cls ORDER BY id DESC LIMIT 1 OFFSET @keep - 1)',
    ),
    recentAudit: db.prepare('SELECT at, action, actor, room, detail, class FROM audit ORDER BY id DESC LIMIT ?'),
    recentAuditOf: db.prepare(
      'SELECT at, action, actor, room, detail, class FROM audit WHERE class = ? ORDER BY id DESC LIMIT ?',
    ),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    readCursor: db.prepare(
      'SELECT seq, pending_to, pending_req, pending_cancelled, rev FROM cursors WHERE room = ? AND name = ?',
    ),
    insertCursor: db.prepare(
      `INSERT INTO cursors (room, name, seq, pending_to, pending_req, pending_cancelled, rev)
       VALUES (@room, @name, @seq, @pendingTo, @pendingReq, @cancelled, 1) ON CONFLICT (room, name) DO NOTHING`,
    ),
    updateCursor: db.prepare(
      `UPDATE cursors SET seq = @seq, pending_to = @pendingTo, pending_req = @pendingReq,
         pending_cancelled = @cancelled, rev = rev + 1 WHERE room = @room AND name = @name AND rev = @rev`,
    ),
    cancelHandout: db.prepare(
      `UPDATE cursors SET pending_cancelled = 1, rev = rev + 1
       WHERE room = ? AND name = ? AND pending_req = ? AND pending_cancelled = 0`,
    ),
    setCursor: db.prepare(
      `INSERT INTO cursors (room, name, seq, rev) VALUES (?, ?, ?, 1) ON CONFLICT (room, name) DO UPDATE
       SET seq = excluded.seq, pending_to = NULL, pending_req = NULL, pending_cancelled = 0, rev = cursors.rev + 1`,
    ),
    putWebhook: db.prepare(
      `INSERT INTO webhooks (room, name, url, secret, include_text, created_at, code_hash) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (room, name) DO UPDATE SET url = excluded.url, secret = excluded.secret,
         include_text = excluded.include_text, created_at = excluded.created_at, code_hash = excluded.code_hash`,
    ),
    deleteWebhook: db.prepare('DELETE FROM webhooks WHERE room = ? AND name = ?'),
    webhooksIn: db.prepare('SELECT * FROM webhooks WHERE room = ?'),
    listWebhooks: db.prepare('SELECT * FROM webhooks ORDER BY room, name'),
    getSetting: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
    initSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    setSetting: db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
