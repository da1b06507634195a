import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { answerNeedsMembers, answerOutcome } from '../domain/answers.js';
import { AUDIT_KEEP, type AuditClass, auditClass, pruneEvery } from '../domain/audit.js';
import type { CursorState } from '../domain/handout.js';
import { lapseReason, type ReopenReason, reopenNotice } from '../domain/leases.js';
import type { StoredMessage } from '../domain/message.js';
import { visibleTo } from '../domain/visibility.js';
import { SharedRoomReads } from './postgres-reads.js';
import { encodeText, queryFailure, toPgMessage } from './postgres-rows.js';
import { migratePostgres } from './postgres-schema.js';
import {
  type ClaimRow,
  type CodeRow,
  type CursorRow,
  cursorFromRow,
  lapsedOnClaim,
  lostClaim,
  type MessageRow,
  MSG_COLS,
  noticeAppend,
  type RoomRow,
  toCode,
  toRoom,
  toWebhook,
  type WebhookRow,
} from './rows.js';
import type {
  AppendInput,
  AppendResult,
  AuditInput,
  AuditRecord,
  ClaimLease,
  ClaimResult,
  CodeRecord,
  NewCode,
  ReadSnapshot,
  ReleaseResult,
  Reopened,
  RoomRecord,
  SenderRecord,
  Store,
  StoreOptions,
  ThreadRead,
  WebhookRecord,
} from './store.js';

const VISIBLE = "(recipient = 'all' OR recipient = $R OR sender = $R)";

/** The most claims one sweep reopens; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

/**
 * A claim still due at $4 (domain/leases.ts lapseReason): its lease lapsed, or its
 * holder has no live code in the room. Re-checked under the row lock, so a claim
 * renewed, re-taken or answered since the sweep read it is left alone.
 */
const STILL_DUE = `(claim_expires_at <= $4 OR NOT EXISTS (SELECT 1 FROM codes c WHERE c.room = messages.room
  AND c.name = messages.claimed_by AND (c.expires_at IS NULL OR c.expires_at > $4)))`;

/** A notice of the bridge's own (domain/leases.ts): it answers nothing and makes its sender no member. */
interface NoticeMark {
  kind: string;
  reason: string;
}
/** Opens the cluster store: connects, migrates (once, across nodes) and returns it. The driver loads only here. */
export async function openPostgresStore(url: string, opts: StoreOptions = {}): Promise<PostgresStore> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: url,
    max: 16,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    // bigint columns hold times and seqs, all well inside 2^53.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? Number : pg.types.getTypeParser(oid, format),
    } as never,
  });
  // An idle connection dropped by a restarting server: the pool replaces it on demand.
  pool.on('error', () => undefined);
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL at ${new URL(url).host} (ARGYBARGY_DATABASE_URL) is unreachable: ${(e as Error).message}`,
    );
  }
  try {
    await migratePostgres(client);
  } finally {
    client.release();
  }
  return new PostgresStore(pool, opts.auditKeep);
}

/**
 * The cluster Store on PostgreSQL. Seqs come from an UPDATE of the room row, whose
 * lock orders concurrent posts so that a room's seqs commit in order: a reader that
 * sees last_seq N in one snapshot sees every message up to N. A lost connection
 * becomes a 503, and the pool reconnects when the database is back.
 */
export class PostgresStore implements Store {
  /** Audit writes per class since the last prune. */
  private readonly auditWrites = new Map<AuditClass, number>();
  private readonly reads = new SharedRoomReads((text, params) => this.q(text, params));

  constructor(
    private readonly pool: Pool,
    private readonly auditKeep = AUDIT_KEEP,
  ) {}

  private async q<T extends QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.pool.query<T>(text, params)).rows;
    } catch (e) {
      throw queryFailure(e);
    }
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw queryFailure(e);
    }
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw queryFailure(e);
    } finally {
      client.release();
    }
  }

  async createCode(c: NewCode, maxCodes: number): Promise<CodeRecord | null> {
    const insert = (db: Pick<PoolClient, 'query'>) =>
      db.query(
        `INSERT INTO codes (hash, plain, display, name, room, capabilities, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [c.hash, c.plain, c.display, c.name, c.room, c.capabilities, c.createdAt, c.expiresAt],
      );
    if (maxCodes <= 0) {
      await this.tx((db) => insert(db));
      return { ...c };
    }
    return this.tx(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [0x636f6465]); // "code": one quota check at a time
      const n = Number((await db.query('SELECT count(*) AS n FROM codes')).rows[0].n);
      if (n >= maxCodes) return null;
      await insert(db);
      return { ...c };
    });
  }

  async findCodeByHash(hash: string): Promise<CodeRecord | null> {
    const [r] = await this.q<CodeRow>('SELECT * FROM codes WHERE hash = $1', [hash]);
    return r ? toCode(r) : null;
  }

  async listCodes(): Promise<CodeRecord[]> {
    return (await this.q<CodeRow>('SELECT * FROM codes ORDER BY created_at, name')).map(toCode);
  }

  async countCodes(): Promise<number> {
    return Number((await this.q<{ n: string }>('SELECT count(*) AS n FROM codes'))[0].n);
  }

  async hasLiveCode(room: string, name: string, nowMs: number): Promise<boolean> {
    const rows = await this.q(
      'SELECT 1 FROM codes WHERE room = $1 AND name = $2 AND (expires_at IS NULL OR expires_at > $3) LIMIT 1',
      [room, name, nowMs],
    );
    return rows.length > 0;
  }

  async revokeCodes(target: string, targetHash: string, room: string | null = null): Promise<CodeRecord[]> {
    return (
      await this.q<CodeRow>(
        'DELETE FROM codes WHERE (name = $1 AND ($3::text IS NULL OR room = $3)) OR hash = $2 RETURNING *',
        [target, targetHash, room],
      )
    ).map(toCode);
  }

  async dropPlaintextCodes(mask: (plain: string) => string): Promise<number> {
    const rows = await this.q<{ hash: string; plain: string }>('SELECT hash, plain FROM codes WHERE plain IS NOT NULL');
    for (const r of rows)
      await this.q('UPDATE codes SET plain = NULL, display = $1 WHERE hash = $2', [mask(r.plain), r.hash]);
    return rows.length;
  }

  async ensureRoom(room: string, nowMs: number): Promise<boolean> {
    const rows = await this.q(
      'INSERT INTO rooms (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name',
      [room, nowMs],
    );
    return rows.length === 1;
  }

  async getRoom(room: string): Promise<RoomRecord | null> {
    const [r] = await this.q<RoomRow>('SELECT * FROM rooms WHERE name = $1', [room]);
    return r ? toRoom(r) : null;
  }

  async listRooms(): Promise<RoomRecord[]> {
    return (await this.q<RoomRow>('SELECT * FROM rooms ORDER BY coalesce(last_at, created_at) DESC, name')).map(toRoom);
  }

  async setRoomStatus(room: string, closed: boolean, by: string, nowMs: number): Promise<RoomRecord> {
    await this.ensureRoom(room, nowMs);
    const rows = closed
      ? await this.q<RoomRow>(
          `UPDATE rooms SET closed = true, closed_at = CASE WHEN closed THEN closed_at ELSE $2 END,
             closed_by = CASE WHEN closed THEN closed_by ELSE $3 END
           WHERE name = $1 RETURNING *`,
          [room, nowMs, by],
        )
      : await this.q<RoomRow>(
          'UPDATE rooms SET closed = false, closed_at = NULL, closed_by = NULL WHERE name = $1 RETURNING *',
          [room],
        );
    return toRoom(rows[0]);
  }

  async append(input: AppendInput): Promise<AppendResult> {
    if (input.replyTo != null) return this.appendReply(input, input.replyTo);
    if (input.maxRooms > 0) {
      const existing = await this.getRoom(input.room);
      if (!existing || existing.lastSeq === 0) return this.appendFirst(input);
    }
    const first = await this.appendOnce(this.pool, input);
    if (first) return first;
    // No row updated: the room is closed, or it does not exist yet.
    const room = await this.getRoom(input.room);
    if (room?.closed && input.requireOpen) return { ok: false, reason: 'room_closed', room };
    await this.ensureRoom(input.room, input.at);
    const again = await this.appendOnce(this.pool, input);
    if (again) return again;
    const now = await this.getRoom(input.room);
    if (now?.closed) return { ok: false, reason: 'room_closed', room: now };
    throw new Error(`append into ${input.room} matched no room`);
  }

  /** The first message of a room under a room quota: counted and stored under one lock. */
  private appendFirst(input: AppendInput): Promise<AppendResult> {
    return this.tx(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [0x726f6f6d]); // "room"
      await db.query('INSERT INTO rooms (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        input.room,
        input.at,
      ]);
      const r = (await db.query<RoomRow>('SELECT * FROM rooms WHERE name = $1', [input.room])).rows[0];
      if (r.closed && input.requireOpen) return { ok: false, reason: 'room_closed', room: toRoom(r) } as AppendResult;
      if (r.last_seq === 0) {
        const n = Number((await db.query('SELECT count(*) AS n FROM rooms WHERE last_seq > 0')).rows[0].n);
        if (n >= input.maxRooms) {
          throw new QuotaRefusal();
        }
      }
      const res = await this.appendOnce(db, input);
      if (!res) throw new Error(`append into ${input.room} matched no room`);
      return res;
    }).catch((e) => {
      if (e instanceof QuotaRefusal) return { ok: false, reason: 'room_quota' } as AppendResult;
      throw e;
    });
  }

  /**
   * A reply, in one transaction: the room's row is locked first (the order every
   * append takes locks in), then the question's, so the check that reply_to is a
   * message the sender may see, the insert and the answer (domain/answers.ts) happen
   * together, and a concurrent claim or answer of the same question waits for it.
   * A reply needs an existing message, so the room exists and the room quota never
   * applies.
   */
  private appendReply(input: AppendInput, replyTo: number): Promise<AppendResult> {
    return this.tx(async (db): Promise<AppendResult> => {
      const room = (await db.query<RoomRow>('SELECT * FROM rooms WHERE name = $1 FOR UPDATE', [input.room])).rows[0];
      if (room?.closed && input.requireOpen) return { ok: false, reason: 'room_closed', room: toRoom(room) };
      const [row] = room
        ? (
            await db.query<MessageRow>(`SELECT ${MSG_COLS} FROM messages WHERE room = $1 AND seq = $2 FOR UPDATE`, [
              input.room,
              replyTo,
            ])
          ).rows
        : [];
      const question = row ? toPgMessage(row) : null;
      if (!question || !(input.seesAll || visibleTo(question, input.from)))
        return { ok: false, reason: 'bad_reply_to' };
      const res = await this.appendOnce(db, input);
      if (!res?.ok) throw new Error(`append into ${input.room} matched no room`);
      const members = answerNeedsMembers(question) ? await this.membersIn(db, input.room, input.at) : [];
      const outcome = answerOutcome(question, { from: input.from, to: input.to }, members);
      if (!outcome.answers) return res;
      await db.query(
        `UPDATE messages SET answered_by = $3, answered_at = $4, claim_expires_at = NULL,
           claimed_by = CASE WHEN $5::boolean THEN $3 ELSE claimed_by END
         WHERE room = $1 AND seq = $2`,
        [input.room, replyTo, input.from, input.at, outcome.claims],
      );
      const answered: StoredMessage = {
        ...question,
        answered_by: input.from,
        answered_at: input.at,
        claimed_by: outcome.claims ? input.from : question.claimed_by,
        claim_expires_at: null,
      };
      return { ...res, answered };
    });
  }

  /**
   * One statement: bump the room's counter (taking its row lock), insert the message,
   * record the sender and prune by retention. Null when no open room row matched.
   */
  private async appendOnce(
    db: Pick<Pool, 'query'>,
    input: AppendInput,
    notice: NoticeMark | null = null,
  ): Promise<AppendResult | null> {
    const keep = input.maxPerRoom;
    let rows: Array<{ seq: number }>;
    try {
      rows = (
        await db.query<{ seq: number }>(
          `WITH r AS (
             UPDATE rooms SET last_seq = last_seq + 1, last_at = $2,
               message_count = CASE WHEN $8::bigint > 0 THEN LEAST(message_count + 1, $8::bigint) ELSE message_count + 1 END
             WHERE name = $1 AND (NOT $7::boolean OR NOT closed)
             RETURNING name, last_seq
           ), m AS (
             INSERT INTO messages (room, seq, at, sender, recipient, text, expects_reply, reply_to, claim_lease, kind, reason)
             SELECT name, last_seq, $2, $3, $4, $5, $6, $9::bigint, $11::bigint, $12::text, $13::text FROM r
           ), mem AS (
             INSERT INTO members (room, name, last_seq, last_at, operator)
               SELECT name, $3, last_seq, $2,
                 $10::boolean AND NOT EXISTS (SELECT 1 FROM codes c WHERE c.room = $1 AND c.name = $3) FROM r
               WHERE $12::text IS NULL
             ON CONFLICT (room, name) DO UPDATE SET last_seq = excluded.last_seq, last_at = excluded.last_at,
               operator = members.operator OR excluded.operator
           ), pruned AS (
             DELETE FROM messages WHERE $8::bigint > 0 AND room = $1 AND seq <= (SELECT last_seq FROM r) - $8::bigint
           )
           SELECT last_seq AS seq FROM r`,
          [
            input.room,
            input.at,
            input.from,
            input.to,
            encodeText(input.text),
            input.expectsReply,
            input.requireOpen,
            keep,
            input.replyTo ?? null,
            input.byOperator === true,
            input.claimLease ?? null,
            notice?.kind ?? null,
            notice?.reason ?? null,
          ],
        )
      ).rows;
    } catch (e) {
      throw queryFailure(e);
    }
    if (rows.length === 0) return null;
    return {
      ok: true,
      message: {
        room: input.room,
        seq: rows[0].seq,
        at: input.at,
        from: input.from,
        to: input.to,
        text: input.text,
        expects_reply: input.expectsReply,
        claimed_by: null,
        reply_to: input.replyTo ?? null,
        answered_by: null,
        answered_at: null,
        claim_expires_at: null,
        claim_lease: input.claimLease ?? null,
        kind: notice?.kind ?? null,
        reason: notice?.reason ?? null,
      },
      answered: null,
    };
  }

  /** See SharedRoomReads: reads of one room in the same turn share a query. */
  readSince(room: string, reader: string, since: number, limit: number): Promise<ReadSnapshot> {
    return this.reads.read(room, reader, since, limit);
  }

  async history(room: string, reader: string, limit: number): Promise<StoredMessage[]> {
    const rows = await this.q<MessageRow>(
      `SELECT ${MSG_COLS} FROM messages WHERE room = $1 AND ${VISIBLE.replace(/\$R/g, '$2')} ORDER BY seq DESC LIMIT $3`,
      [room, reader, limit],
    );
    return rows.reverse().map(toPgMessage);
  }

  async recent(limit: number, room?: string): Promise<StoredMessage[]> {
    const rows =
      room === undefined
        ? await this.q<MessageRow>(`SELECT ${MSG_COLS} FROM messages ORDER BY id DESC LIMIT $1`, [limit])
        : await this.q<MessageRow>(`SELECT ${MSG_COLS} FROM messages WHERE room = $1 ORDER BY seq DESC LIMIT $2`, [
            room,
            limit,
          ]);
    return rows.reverse().map(toPgMessage);
  }

  async claim(room: string, seq: number, reader: string, lease?: ClaimLease): Promise<ClaimResult> {
    const now = lease?.nowMs ?? 0;
    const visible = VISIBLE.replace(/\$R/g, '$1');
    const tryClaim = async (): Promise<ClaimResult | null> => {
      // `was` is the holder in the statement's snapshot: the reader itself means a renewal.
      const [won] = await this.q<{ claim_expires_at: number | null; was: string | null }>(
        `UPDATE messages m SET claimed_by = $1, claim_expires_at = CASE WHEN coalesce(m.claim_lease, $5::bigint) > 0
             THEN $4::bigint + coalesce(m.claim_lease, $5::bigint) * 1000 END
         FROM (SELECT id, claimed_by AS was FROM messages WHERE room = $2 AND seq = $3) o
         WHERE m.id = o.id AND (m.claimed_by IS NULL OR m.claimed_by = $1) AND m.answered_by IS NULL
           AND ${visible.replace(/\b(recipient|sender)\b/g, 'm.$1')}
         RETURNING m.claim_expires_at, o.was`,
        [reader, room, seq, now, lease?.defaultSeconds ?? 0],
      );
      if (!won) return null;
      return {
        found: true,
        won: true,
        claimedBy: reader,
        answeredBy: null,
        leaseExpiresAt: won.claim_expires_at,
        ...(won.was === reader ? { renewed: true } : {}),
      };
    };
    const lost = async (): Promise<ClaimResult> => {
      const [row] = await this.q<ClaimRow>(
        `SELECT claimed_by, answered_by, claim_expires_at FROM messages WHERE room = $2 AND seq = $3 AND ${visible}`,
        [reader, room, seq],
      );
      return lostClaim(row);
    };
    const first = await tryClaim();
    if (first) return first;
    const res = await lost();
    // A lapsed lease is reopened here (with its notice) rather than waiting for the next sweep.
    if (!lease || !lapsedOnClaim(res, lease)) return res;
    const reopened = await this.reopen(room, seq, res.claimedBy, 'lease_expired', now, lease.maxPerRoom);
    if (!reopened) return (await tryClaim()) ?? (await lost());
    return { ...((await tryClaim()) ?? (await lost())), reopened } as ClaimResult;
  }

  async releaseClaim(
    room: string,
    seq: number,
    reader: string,
    nowMs: number,
    maxPerRoom: number,
  ): Promise<ReleaseResult> {
    const [row] = await this.q<{ claimed_by: string | null; answered_by: string | null }>(
      `SELECT claimed_by, answered_by FROM messages WHERE room = $2 AND seq = $3 AND ${VISIBLE.replace(/\$R/g, '$1')}`,
      [reader, room, seq],
    );
    if (!row) return { found: false };
    if (row.claimed_by === reader && row.answered_by === null) {
      const reopened = await this.reopen(room, seq, reader, 'released', nowMs, maxPerRoom);
      if (reopened) return { found: true, released: true, reopened };
      return this.releaseClaim(room, seq, reader, nowMs, maxPerRoom);
    }
    return { found: true, released: false, claimedBy: row.claimed_by, answeredBy: row.answered_by };
  }

  async sweepClaims(nowMs: number, maxPerRoom: number): Promise<Reopened[]> {
    type Due = { room: string; seq: number; holder: string; expires: number | null; code: 'live' | 'expired' | 'none' };
    const due = await this.q<Due>(
      `SELECT room, seq, holder, expires, code FROM (
         SELECT m.room, m.seq, m.claimed_by AS holder, m.claim_expires_at AS expires,
           CASE WHEN EXISTS (SELECT 1 FROM codes c WHERE c.room = m.room AND c.name = m.claimed_by
                               AND (c.expires_at IS NULL OR c.expires_at > $1)) THEN 'live'
                WHEN EXISTS (SELECT 1 FROM codes c WHERE c.room = m.room AND c.name = m.claimed_by) THEN 'expired'
                ELSE 'none' END AS code
         FROM messages m JOIN rooms r ON r.name = m.room
         WHERE m.claimed_by IS NOT NULL AND m.answered_by IS NULL AND NOT r.closed
       ) d WHERE expires <= $1 OR code <> 'live' ORDER BY room, seq LIMIT $2`,
      [nowMs, SWEEP_BATCH],
    );
    const out: Reopened[] = [];
    for (const d of due) {
      const reason = lapseReason(d.expires, nowMs, d.code);
      const r = reason && (await this.reopen(d.room, d.seq, d.holder, reason, nowMs, maxPerRoom));
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * Ends `holder`'s claim on `seq` unanswered and appends the notice, in one
   * transaction: the room's row is locked first (the order appends take locks in),
   * then one conditional update clears the claim only while `holder` still holds it
   * unanswered and — for a sweep's reasons — it is still due. Null when it matched
   * nothing: another node (or the holder) got there first, so each end happens once.
   */
  private reopen(
    room: string,
    seq: number,
    holder: string,
    reason: ReopenReason,
    at: number,
    maxPerRoom: number,
  ): Promise<Reopened | null> {
    return this.tx(async (db): Promise<Reopened | null> => {
      await db.query('SELECT 1 FROM rooms WHERE name = $1 FOR UPDATE', [room]);
      const due = reason === 'released' ? '' : `AND ${STILL_DUE}`;
      const [row] = (
        await db.query<MessageRow>(
          `UPDATE messages SET claimed_by = NULL, claim_expires_at = NULL
           WHERE room = $1 AND seq = $2 AND claimed_by = $3 AND answered_by IS NULL ${due}
           RETURNING ${MSG_COLS}`,
          reason === 'released' ? [room, seq, holder] : [room, seq, holder, at],
        )
      ).rows;
      if (!row) return null;
      const question = toPgMessage(row);
      const n = reopenNotice(question, holder, reason);
      const res = await this.appendOnce(db, noticeAppend(room, n, at, maxPerRoom), {
        kind: n.kind,
        reason: n.reason,
      });
      if (!res?.ok) throw new Error(`the notice for ${room} #${seq} matched no room`);
      return { question, holder, reason, notice: res.message };
    });
  }

  async thread(room: string, reader: string, seq: number, limit: number): Promise<ThreadRead | null> {
    // See the SQLite statement: up through visible ancestors to the root, then every
    // visible reply below it; reply_to always points at an older seq, so no loops.
    const visible = "(m.recipient = 'all' OR m.recipient = $3 OR m.sender = $3)";
    const rows = await this.q<MessageRow>(
      `WITH RECURSIVE up(seq, reply_to, depth) AS (
         SELECT m.seq, m.reply_to, 0 FROM messages m WHERE m.room = $1 AND m.seq = $2 AND ${visible}
         UNION ALL
         SELECT m.seq, m.reply_to, up.depth + 1 FROM up JOIN messages m ON m.room = $1 AND m.seq = up.reply_to
         WHERE ${visible}
       ), root(seq) AS (SELECT seq FROM up ORDER BY depth DESC LIMIT 1),
       t(seq) AS (
         SELECT seq FROM root
         UNION ALL
         SELECT m.seq FROM t JOIN messages m ON m.room = $1 AND m.reply_to = t.seq WHERE ${visible}
       )
       SELECT ${MSG_COLS} FROM messages WHERE room = $1 AND seq IN (SELECT seq FROM t) ORDER BY seq LIMIT $4`,
      [room, seq, reader, limit + 1],
    );
    if (rows.length === 0) return null;
    const truncated = rows.length > limit;
    if (truncated) rows.length = limit;
    const messages = rows.map(toPgMessage);
    return { root: messages[0], messages, truncated };
  }

  async openRoomQuestions(): Promise<StoredMessage[]> {
    const cols = MSG_COLS.replace(/(\w+)/g, 'm.$1');
    return (
      await this.q<MessageRow>(
        `SELECT ${cols} FROM messages m JOIN rooms r ON r.name = m.room
         WHERE m.expects_reply <> 'none' AND m.answered_by IS NULL AND NOT r.closed ORDER BY m.id`,
      )
    ).map(toPgMessage);
  }

  async members(room: string, nowMs: number): Promise<Set<string>> {
    return this.membersIn(this.pool, room, nowMs);
  }

  /** Durable membership of a room, read through `db` (the pool, or a transaction's client). */
  private async membersIn(db: Pick<Pool, 'query'>, room: string, nowMs: number): Promise<Set<string>> {
    try {
      const rows = await db.query<{ name: string }>(
        `SELECT name FROM members WHERE room = $1
         UNION SELECT name FROM codes WHERE room = $1 AND (expires_at IS NULL OR expires_at > $2)`,
        [room, nowMs],
      );
      return new Set(rows.rows.map((r) => r.name));
    } catch (e) {
      throw queryFailure(e);
    }
  }

  async senders(): Promise<SenderRecord[]> {
    return (
      await this.q<{ room: string; name: string; last_seq: number; last_at: number; operator: boolean }>(
        'SELECT room, name, last_seq, last_at, operator FROM members ORDER BY room, name',
      )
    ).map((r) => ({ room: r.room, name: r.name, lastSeq: r.last_seq, lastAt: r.last_at, operator: r.operator }));
  }

  async countMessages(): Promise<number> {
    return Number((await this.q<{ n: string }>('SELECT coalesce(sum(message_count), 0) AS n FROM rooms'))[0].n);
  }

  async countRoomsWithMessages(): Promise<number> {
    return Number((await this.q<{ n: string }>('SELECT count(*) AS n FROM rooms WHERE message_count > 0'))[0].n);
  }

  async readCursor(room: string, name: string): Promise<CursorState> {
    const rows = await this.q<CursorRow>(
      'SELECT seq, pending_to, pending_req, pending_cancelled, rev FROM cursors WHERE room = $1 AND name = $2',
      [room, name],
    );
    return cursorFromRow(rows[0]);
  }

  async moveCursor(room: string, name: string, rev: number, next: Omit<CursorState, 'rev'>): Promise<boolean> {
    const values = [room, name, next.committed, next.pendingTo, next.pendingReq, next.pendingCancelled];
    const r =
      rev === 0
        ? await this.pool.query(
            `INSERT INTO cursors (room, name, seq, pending_to, pending_req, pending_cancelled, rev)
             VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (room, name) DO NOTHING`,
            values,
          )
        : await this.pool.query(
            `UPDATE cursors SET seq = $3, pending_to = $4, pending_req = $5, pending_cancelled = $6, rev = rev + 1
             WHERE room = $1 AND name = $2 AND rev = $7`,
            [...values, rev],
          );
    return (r.rowCount ?? 0) > 0;
  }

  async cancelHandout(room: string, name: string, req: string): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE cursors SET pending_cancelled = true, rev = rev + 1
       WHERE room = $1 AND name = $2 AND pending_req = $3 AND NOT pending_cancelled`,
      [room, name, req],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async setCursor(room: string, name: string, seq: number): Promise<void> {
    await this.q(
      `INSERT INTO cursors (room, name, seq, rev) VALUES ($1, $2, $3, 1) ON CONFLICT (room, name) DO UPDATE
       SET seq = excluded.seq, pending_to = NULL, pending_req = NULL, pending_cancelled = false, rev = cursors.rev + 1`,
      [room, name, seq],
    );
  }

  async putWebhook(w: WebhookRecord): Promise<void> {
    await this.q(
      `INSERT INTO webhooks (room, name, url, secret, include_text, created_at, code_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (room, name) DO UPDATE SET url = excluded.url, secret = excluded.secret,
         include_text = excluded.include_text, created_at = excluded.created_at, code_hash = excluded.code_hash`,
      [w.room, w.name, w.url, w.secret, w.includeText, w.createdAt, w.codeHash],
    );
  }

  async deleteWebhook(room: string, name: string): Promise<boolean> {
    return (await this.q('DELETE FROM webhooks WHERE room = $1 AND name = $2 RETURNING name', [room, name])).length > 0;
  }

  async webhooksIn(room: string): Promise<WebhookRecord[]> {
    return (await this.q<WebhookRow>('SELECT * FROM webhooks WHERE room = $1', [room])).map(toWebhook);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return (await this.q<WebhookRow>('SELECT * FROM webhooks ORDER BY room, name')).map(toWebhook);
  }

  async getSetting(key: string): Promise<string | null> {
    return (await this.q<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))[0]?.value ?? null;
  }

  async initSetting(key: string, value: string): Promise<string> {
    await this.q('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.getSetting(key)) as string;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.q(
      'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  async audit(e: AuditInput): Promise<void> {
    const cls = auditClass(e.action);
    await this.q('INSERT INTO audit (at, action, actor, room, detail, class) VALUES ($1, $2, $3, $4, $5, $6)', [
      e.at,
      e.action,
      e.actor ?? '',
      e.room ?? '',
      e.detail ?? '',
      cls,
    ]);
    const n = (this.auditWrites.get(cls) ?? 0) + 1;
    this.auditWrites.set(cls, n);
    if (n % pruneEvery(this.auditKeep) === 0) {
      // Keeps the newest `auditKeep` events of this class: everything older than the keep-th newest goes.
      await this.q(
        'DELETE FROM audit WHERE class = $1 AND id < (SELECT id FROM audit WHERE class = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)',
        [cls, this.auditKeep - 1],
      );
    }
  }

  async recentAudit(limit: number, cls?: AuditClass): Promise<AuditRecord[]> {
    const cols = 'SELECT at, action, actor, room, detail, class FROM audit';
    const rows = cls
      ? await this.q<AuditRecord>(`${cols} WHERE class = $1 ORDER BY id DESC LIMIT $2`, [cls, limit])
      : await this.q<AuditRecord>(`${cols} ORDER BY id DESC LIMIT $1`, [limit]);
    return rows.reverse();
  }

  watchExternalChanges(_listener: () => void): () => void {
    return () => undefined;
  }

  /** True when the database answers (for readiness checks). */
  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Thrown inside the quota transaction to roll it back. */
class QuotaRefusal extends Error {}
