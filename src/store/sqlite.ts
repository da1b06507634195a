import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { answerNeedsMembers, answerOutcome } from '../domain/answers.js';
import { AUDIT_KEEP, type AuditClass, auditClass, pruneEvery } from '../domain/audit.js';
import type { CursorState } from '../domain/handout.js';
import { lapseReason, type ReopenReason, reopenNotice } from '../domain/leases.js';
import type { StoredMessage } from '../domain/message.js';
import { visibleTo } from '../domain/visibility.js';
import {
  type ClaimRow,
  type CodeRow,
  type CursorRow,
  cursorFromRow,
  lapsedOnClaim,
  lostClaim,
  type MessageRow,
  noticeAppend,
  type RoomRow,
  toCode,
  toMessage,
  toRoom,
  toWebhook,
  type WebhookRow,
} from './rows.js';
import { type AdoptionReport, prepareDatabaseFile } from './sqlite-adopt.js';
import { HotCache, type HotCacheLimits } from './sqlite-cache.js';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.js';
import { migrate } from './sqlite-schema.js';
import { prepareStatements, type Statements } from './sqlite-statements.js';
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
import { WriteBatch } from './write-batch.js';

/** Writes after which the WAL is checkpointed by a background thread, and how often it runs. */
const BACKGROUND_CHECKPOINT_AFTER = 200;
const CHECKPOINT_EVERY_MS = 1000;

/** The most claims one sweep reopens; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

/** How often (ms) to ask SQLite whether another process wrote to the database. */
const FOREIGN_WRITE_CHECK_MS = 50;
/** How often (ms) a watcher looks for other processes' writes when nothing else asks. */
const WATCH_EVERY_MS = 200;

/** Creates the file owner-only before SQLite opens it, so the -wal/-shm files inherit 0600. */
function createPrivate(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

/** Options of the embedded store beyond StoreOptions. */
export interface SqliteStoreOptions extends StoreOptions {
  cache?: HotCacheLimits;
  /** Told once when the file was the original argybargy 1.0's and has just been adopted (sqlite-adopt.ts). */
  onAdopted?: (report: AdoptionReport) => void;
  /** Told one line before a long adoption starts, or while it waits for another process's (sqlite-adopt.ts). */
  notice?: (line: string) => void;
}

/**
 * The embedded Store: one SQLite file in WAL mode, driven synchronously by better-sqlite3.
 * Opening a file the original argybargy 1.0 wrote adopts it first; opening a file of any
 * other schema throws UnreadableDatabaseError (sqlite-adopt.ts) and leaves it as it was.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** Audit writes per class since the last prune. */
  private readonly auditWrites = new Map<AuditClass, number>();
  private readonly auditKeep: number;
  private readonly q: Statements;
  private readonly cache: HotCache;
  private readonly ringSize: number;
  private dataVersion = 0;
  private checkedAt = 0;
  private readonly watchers = new Set<() => void>();
  private watchTimer: NodeJS.Timeout | null = null;
  private readonly writes: WriteBatch;
  private writeCount = 0;
  private checkpointer: Checkpointer | null = null;

  constructor(
    private readonly path: string,
    opts: SqliteStoreOptions = {},
  ) {
    const cache = opts.cache ?? { perRoom: 256, totalChars: 16_000_000 };
    this.auditKeep = opts.auditKeep ?? AUDIT_KEEP;
    this.cache = new HotCache(cache);
    this.ringSize = cache.perRoom;
    if (path !== ':memory:') {
      const adopted = prepareDatabaseFile(path, { notice: opts.notice });
      createPrivate(path);
      if (adopted) opts.onAdopted?.(adopted);
    }
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
    this.q = prepareStatements(this.db);
    this.dataVersion = this.q.dataVersion.get() as number;
    this.writes = new WriteBatch(this.db, () => this.cache.clear());
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

  /**
   * Drops the hot cache when another process (a CLI command on the same data
   * directory) has committed since the last look. Checked at most every 50 ms, so
   * such a change is seen within that time; this process's own writes keep the
   * cache up to date as they happen.
   */
  private fresh(): void {
    const now = Date.now();
    if (now - this.checkedAt < FOREIGN_WRITE_CHECK_MS) return;
    this.checkedAt = now;
    const v = this.q.dataVersion.get() as number;
    if (v !== this.dataVersion) {
      this.dataVersion = v;
      this.cache.clear();
      for (const w of this.watchers) w();
    }
  }

  watchExternalChanges(listener: () => void): () => void {
    this.watchers.add(listener);
    this.watchTimer ??= setInterval(() => {
      if (this.db.open) this.fresh();
    }, WATCH_EVERY_MS);
    this.watchTimer.unref();
    return () => {
      this.watchers.delete(listener);
      if (this.watchers.size === 0 && this.watchTimer) {
        clearInterval(this.watchTimer);
        this.watchTimer = null;
      }
    };
  }

  private cachedRoom(room: string): RoomRecord | null {
    let r = this.cache.rooms.get(room);
    if (r === undefined) {
      const row = this.q.room.get(room) as RoomRow | undefined;
      r = row ? toRoom(row) : null;
      this.cache.rooms.set(room, r);
    }
    return r;
  }

  async findCodeByHash(hash: string): Promise<CodeRecord | null> {
    this.fresh();
    const hit = this.cache.codes.get(hash);
    if (hit) return hit;
    const r = this.q.codeByHash.get(hash) as CodeRow | undefined;
    if (!r) return null;
    const rec = toCode(r);
    this.cache.codes.set(hash, rec);
    return rec;
  }

  async listCodes(): Promise<CodeRecord[]> {
    return (this.q.listCodes.all() as CodeRow[]).map(toCode);
  }

  async countCodes(): Promise<number> {
    return this.q.countCodes.get() as number;
  }

  async hasLiveCode(room: string, name: string, nowMs: number): Promise<boolean> {
    return this.q.hasLiveCode.get(room, name, nowMs) !== undefined;
  }

  async revokeCodes(target: string, targetHash: string, room: string | null = null): Promise<CodeRecord[]> {
    const args = { target, hash: targetHash, room };
    return this.db.transaction(() => {
      const rows = (this.q.codesToRevoke.all(args) as CodeRow[]).map(toCode);
      this.q.revoke.run(args);
      for (const r of rows) this.cache.codes.delete(r.hash);
      return rows;
    })();
  }

  async dropPlaintextCodes(mask: (plain: string) => string): Promise<number> {
    return this.db.transaction(() => {
      const rows = this.q.plainCodes.all() as Array<{ hash: string; plain: string }>;
      for (const r of rows) this.q.dropPlain.run(mask(r.plain), r.hash);
      this.cache.codes.clear();
      return rows.length;
    })();
  }

  async ensureRoom(room: string, nowMs: number): Promise<boolean> {
    const created = this.q.insertRoom.run(room, nowMs).changes === 1;
    if (created) this.cache.rooms.delete(room);
    return created;
  }

  async getRoom(room: string): Promise<RoomRecord | null> {
    this.fresh();
    return this.cachedRoom(room);
  }

  async listRooms(): Promise<RoomRecord[]> {
    return (this.q.rooms.all() as RoomRow[]).map(toRoom);
  }

  async setRoomStatus(room: string, closed: boolean, by: string, nowMs: number): Promise<RoomRecord> {
    return this.db.transaction(() => {
      this.q.insertRoom.run(room, nowMs);
      if (closed) this.q.close.run(nowMs, by, room);
      else this.q.reopen.run(room);
      const rec = toRoom(this.q.room.get(room) as RoomRow);
      this.cache.rooms.set(room, rec);
      return rec;
    })();
  }

  async append(input: AppendInput): Promise<AppendResult> {
    this.fresh();
    return this.writes.run(() => {
      const { res, room } = this.appendRows(input);
      if (res.ok && room) {
        const m = res.message;
        this.cache.rooms.set(m.room, room);
        if (this.cache.hasRing(m.room)) this.cache.push(m.room, m, input.maxPerRoom);
        else if (m.seq === 1) this.cache.loadRing(m.room, [m], true);
        if (res.answered) this.cache.replace(m.room, res.answered);
        this.noteWrite();
      }
      return res;
    });
  }

  /**
   * The rows of one append; runs inside a write batch. `notice`: the bridge's own
   * notice (domain/leases.ts), which answers nothing and makes its sender no member.
   */
  private appendRows(
    input: AppendInput,
    notice: { kind: string; reason: string } | null = null,
  ): { res: AppendResult; room?: RoomRecord } {
    const existing = this.q.room.get(input.room) as RoomRow | undefined;
    if (input.requireOpen && existing?.closed === 1) {
      return { res: { ok: false, reason: 'room_closed', room: toRoom(existing) } };
    }
    if (input.maxRooms > 0 && (!existing || existing.last_seq === 0)) {
      if ((this.q.activeRooms.get() as number) >= input.maxRooms) return { res: { ok: false, reason: 'room_quota' } };
    }
    const replyTo = input.replyTo ?? null;
    let question: StoredMessage | null = null;
    if (replyTo !== null) {
      const row = existing ? (this.q.messageAt.get(input.room, replyTo) as MessageRow | undefined) : undefined;
      question = row ? toMessage(row) : null;
      if (!question || !(input.seesAll || visibleTo(question, input.from))) {
        return { res: { ok: false, reason: 'bad_reply_to' } };
      }
    }
    if (!existing) this.q.insertRoom.run(input.room, input.at);
    const bumped = this.q.bumpRoom.get(input.at, input.room) as { last_seq: number; message_count: number };
    const seq = bumped.last_seq;
    const claimLease = input.claimLease ?? null;
    this.q.insertMessage.run(
      input.room,
      seq,
      input.at,
      input.from,
      input.to,
      input.text,
      input.expectsReply,
      replyTo,
      claimLease,
      notice?.kind ?? null,
      notice?.reason ?? null,
    );
    if (!notice) {
      this.q.upsertMember.run({
        room: input.room,
        name: input.from,
        seq,
        at: input.at,
        byOperator: input.byOperator ? 1 : 0,
      });
    }
    const answered = question && !notice ? this.answerRows(question, input) : null;
    let removed = 0;
    if (input.maxPerRoom > 0 && bumped.message_count > input.maxPerRoom) {
      removed = this.q.prune.run(input.room, seq - input.maxPerRoom).changes;
      if (removed > 0) this.q.uncount.run(removed, input.room);
    }
    const message: StoredMessage = {
      room: input.room,
      seq,
      at: input.at,
      from: input.from,
      to: input.to,
      text: input.text,
      expects_reply: input.expectsReply,
      claimed_by: null,
      reply_to: replyTo,
      answered_by: null,
      answered_at: null,
      claim_expires_at: null,
      claim_lease: claimLease,
      kind: notice?.kind ?? null,
      reason: notice?.reason ?? null,
    };
    const room: RoomRecord = {
      name: input.room,
      closed: existing?.closed === 1,
      closedAt: existing?.closed_at ?? null,
      closedBy: existing?.closed_by ?? null,
      createdAt: existing?.created_at ?? input.at,
      lastSeq: seq,
      lastAt: input.at,
      messageCount: bumped.message_count - removed,
    };
    return { res: { ok: true, message, answered }, room };
  }

  /** Settles `question` when the reply being appended answers it (domain/answers.ts); the question as now stored, or null. */
  private answerRows(question: StoredMessage, input: AppendInput): StoredMessage | null {
    const members = answerNeedsMembers(question)
      ? (this.q.memberNames.all(input.room, input.room, input.at) as string[])
      : [];
    const outcome = answerOutcome(question, { from: input.from, to: input.to }, members);
    if (!outcome.answers) return null;
    const claims = outcome.claims ? 1 : 0;
    this.q.answer.run({ by: input.from, at: input.at, claims, room: input.room, seq: question.seq });
    return {
      ...question,
      answered_by: input.from,
      answered_at: input.at,
      claimed_by: outcome.claims ? input.from : question.claimed_by,
      claim_expires_at: null,
    };
  }

  /**
   * Ends `holder`'s claim on `seq` unanswered and appends the notice, inside the
   * caller's write transaction; null when the holder no longer holds it unanswered
   * (the conditional update matched nothing), so each end happens once.
   */
  private reopenRows(
    room: string,
    seq: number,
    holder: string,
    reason: ReopenReason,
    at: number,
    maxPerRoom: number,
  ): Reopened | null {
    if (this.q.unclaim.run({ room, seq, holder }).changes !== 1) return null;
    const question = toMessage(this.q.messageAt.get(room, seq) as MessageRow);
    const n = reopenNotice(question, holder, reason);
    const { res } = this.appendRows(noticeAppend(room, n, at, maxPerRoom), { kind: n.kind, reason: n.reason });
    if (!res.ok) throw new Error(`the notice for ${room} #${seq} was refused: ${res.reason}`);
    // Rare: drop the hot cache rather than patch the question, the notice and the room into it.
    this.cache.clear();
    this.noteWrite();
    return { question, holder, reason, notice: res.message };
  }

  async readSince(room: string, reader: string, since: number, limit: number): Promise<ReadSnapshot> {
    // This process is the only writer of messages and better-sqlite3 is synchronous,
    // so the room row and the rows below form one snapshot: no post can land between.
    this.fresh();
    const r = this.cachedRoom(room);
    if (!r || r.lastSeq <= since) return { messages: [], lastSeq: r?.lastSeq ?? 0, room: r, truncated: false };
    if (!this.cache.hasRing(room)) {
      const newest = (this.q.recentRoom.all(room, this.ringSize) as MessageRow[]).reverse().map(toMessage);
      this.cache.loadRing(room, newest, newest.length < this.ringSize);
    }
    const hot = this.cache.readSince(room, reader, since, limit);
    if (hot) return { ...hot, lastSeq: r.lastSeq, room: r };
    const rows = this.q.since.all(room, since, reader, reader, limit + 1) as MessageRow[];
    const truncated = rows.length > limit;
    if (truncated) rows.length = limit;
    return { messages: rows.map(toMessage), lastSeq: r.lastSeq, room: r, truncated };
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

  async claim(room: string, seq: number, reader: string, lease?: ClaimLease): Promise<ClaimResult> {
    this.fresh();
    const now = lease?.nowMs ?? 0;
    const cached = this.cache.find(room, seq, reader);
    if (cached === null) return { found: false };
    // Claimed by another (with a lease still running) or answered: every later caller loses, no write needed.
    const holder = cached ? (cached.claimed_by ?? cached.answered_by) : null;
    const lapsed = cached?.claim_expires_at != null && lease !== undefined && cached.claim_expires_at <= now;
    if (cached && holder && (holder !== reader || cached.answered_by !== null) && !lapsed) return lostClaim(cached);
    return this.writes.run((): ClaimResult => {
      const args = { r: reader, room, seq, now, dflt: lease?.defaultSeconds ?? 0 };
      const tryClaim = (): ClaimResult | null => {
        // Inside the write transaction nobody else writes, so this is who held it just before.
        const before = this.q.claimedBy.get({ room, seq, r: reader }) as { claimed_by: string | null } | undefined;
        const won = this.q.claim.get(args) as { claim_expires_at: number | null } | undefined;
        if (!won) return null;
        const hot = this.cache.find(room, seq, reader);
        if (hot) this.cache.replace(room, { ...hot, claimed_by: reader, claim_expires_at: won.claim_expires_at });
        return {
          found: true,
          won: true,
          claimedBy: reader,
          answeredBy: null,
          leaseExpiresAt: won.claim_expires_at,
          ...(before?.claimed_by === reader ? { renewed: true } : {}),
        };
      };
      const lost = () => lostClaim(this.q.claimedBy.get({ room, seq, r: reader }) as ClaimRow | undefined);
      const first = tryClaim();
      if (first) return first;
      const res = lost();
      // A lapsed lease is reopened here (with its notice) rather than waiting for the next sweep.
      if (!lease || !lapsedOnClaim(res, lease)) return res;
      const reopened = this.reopenRows(room, seq, res.claimedBy, 'lease_expired', now, lease.maxPerRoom);
      if (!reopened) return res;
      return { ...(tryClaim() ?? lost()), reopened } as ClaimResult;
    });
  }

  async releaseClaim(
    room: string,
    seq: number,
    reader: string,
    nowMs: number,
    maxPerRoom: number,
  ): Promise<ReleaseResult> {
    this.fresh();
    return this.writes.run((): ReleaseResult => {
      const row = this.q.claimedBy.get({ room, seq, r: reader }) as
        | { claimed_by: string | null; answered_by: string | null }
        | undefined;
      if (!row) return { found: false };
      const reopened =
        row.claimed_by === reader && row.answered_by === null
          ? this.reopenRows(room, seq, reader, 'released', nowMs, maxPerRoom)
          : null;
      if (reopened) return { found: true, released: true, reopened };
      return { found: true, released: false, claimedBy: row.claimed_by, answeredBy: row.answered_by };
    });
  }

  async sweepClaims(nowMs: number, maxPerRoom: number): Promise<Reopened[]> {
    this.fresh();
    // Almost every sweep finds nothing: look first, without taking the write lock.
    if ((this.q.dueClaims.all({ now: nowMs, limit: 1 }) as unknown[]).length === 0) return [];
    return this.writes.run((): Reopened[] => {
      type Due = {
        room: string;
        seq: number;
        holder: string;
        expires: number | null;
        code: 'live' | 'expired' | 'none';
      };
      const out: Reopened[] = [];
      for (const d of this.q.dueClaims.all({ now: nowMs, limit: SWEEP_BATCH }) as Due[]) {
        const reason = lapseReason(d.expires, nowMs, d.code);
        const r = reason && this.reopenRows(d.room, d.seq, d.holder, reason, nowMs, maxPerRoom);
        if (r) out.push(r);
      }
      return out;
    });
  }

  async thread(room: string, reader: string, seq: number, limit: number): Promise<ThreadRead | null> {
    const rows = this.q.thread.all({ room, seq, r: reader, limit: limit + 1 }) as MessageRow[];
    if (rows.length === 0) return null;
    const truncated = rows.length > limit;
    if (truncated) rows.length = limit;
    const messages = rows.map(toMessage);
    return { root: messages[0], messages, truncated };
  }

  async openRoomQuestions(): Promise<StoredMessage[]> {
    return (this.q.questions.all() as MessageRow[]).map(toMessage);
  }

  async members(room: string, nowMs: number): Promise<Set<string>> {
    return new Set(this.q.memberNames.all(room, room, nowMs) as string[]);
  }

  async senders(): Promise<SenderRecord[]> {
    type Row = { room: string; name: string; last_seq: number; last_at: number; operator: number };
    return (this.q.senders.all() as Row[]).map((r) => ({
      room: r.room,
      name: r.name,
      lastSeq: r.last_seq,
      lastAt: r.last_at,
      operator: r.operator === 1,
    }));
  }

  async countMessages(): Promise<number> {
    return this.q.countMessages.get() as number;
  }

  async countRoomsWithMessages(): Promise<number> {
    return this.q.countRoomsWithMessages.get() as number;
  }

  async readCursor(room: string, name: string): Promise<CursorState> {
    return cursorFromRow(this.q.readCursor.get(room, name) as CursorRow | undefined);
  }

  async moveCursor(room: string, name: string, rev: number, next: Omit<CursorState, 'rev'>): Promise<boolean> {
    const params = {
      room,
      name,
      rev,
      seq: next.committed,
      pendingTo: next.pendingTo,
      pendingReq: next.pendingReq,
      cancelled: next.pendingCancelled ? 1 : 0,
    };
    const stmt = rev === 0 ? this.q.insertCursor : this.q.updateCursor;
    return (await this.writes.run(() => stmt.run(params).changes)) > 0;
  }

  async cancelHandout(room: string, name: string, req: string): Promise<boolean> {
    return (await this.writes.run(() => this.q.cancelHandout.run(room, name, req).changes)) > 0;
  }

  async setCursor(room: string, name: string, seq: number): Promise<void> {
    await this.writes.run(() => this.q.setCursor.run(room, name, seq));
  }

  async putWebhook(w: WebhookRecord): Promise<void> {
    this.q.putWebhook.run(w.room, w.name, w.url, w.secret, w.includeText ? 1 : 0, w.createdAt, w.codeHash);
  }

  async deleteWebhook(room: string, name: string): Promise<boolean> {
    return this.q.deleteWebhook.run(room, name).changes > 0;
  }

  async webhooksIn(room: string): Promise<WebhookRecord[]> {
    return (this.q.webhooksIn.all(room) as WebhookRow[]).map(toWebhook);
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    return (this.q.listWebhooks.all() as WebhookRow[]).map(toWebhook);
  }

  async getSetting(key: string): Promise<string | null> {
    return (this.q.getSetting.get(key) as string | undefined) ?? null;
  }

  async initSetting(key: string, value: string): Promise<string> {
    this.q.initSetting.run(key, value);
    return this.q.getSetting.get(key) as string;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.q.setSetting.run(key, value);
  }

  async audit(e: AuditInput): Promise<void> {
    const cls = auditClass(e.action);
    await this.writes.run(() => {
      this.q.insertAudit.run(e.at, e.action, e.actor ?? '', e.room ?? '', e.detail ?? '', cls);
      const n = (this.auditWrites.get(cls) ?? 0) + 1;
      this.auditWrites.set(cls, n);
      if (n % pruneEvery(this.auditKeep) === 0) this.q.pruneAudit.run({ cls, keep: this.auditKeep });
    });
  }

  async recentAudit(limit: number, cls?: AuditClass): Promise<AuditRecord[]> {
    const rows = cls ? this.q.recentAuditOf.all(cls, limit) : this.q.recentAudit.all(limit);
    return (rows as AuditRecord[]).reverse();
  }

  /**
   * Counts writes; after the first few hundred, checkpointing the write-ahead log
   * moves to a background thread so the event loop never pays for it (short-lived
   * stores, like a CLI command's, never get that far and keep SQLite's own).
   */
  private noteWrite(): void {
    if (++this.writeCount !== BACKGROUND_CHECKPOINT_AFTER || this.path === ':memory:') return;
    this.db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = startCheckpointer(this.path, CHECKPOINT_EVERY_MS, () => {
      this.checkpointer = null;
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
    });
  }

  async ping(): Promise<boolean> {
    return this.db.open;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.flush();
    await this.checkpointer?.stop();
    this.checkpointer = null;
    this.db.close();
  }
}
