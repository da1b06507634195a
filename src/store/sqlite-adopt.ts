import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { hashCode } from '../secrets.js';
import { lockHolder, lockPath, pidAlive, releaseLock, sleepSync, tryLock } from './adopt-lock.js';
import {
  adoptAudit,
  adoptCode,
  adoptMessage,
  ORIGINAL_REQUIRED_TABLES,
  ORIGINAL_TABLES,
  type OriginalAuditRow,
  type OriginalCodeRow,
  OriginalDataError,
  type OriginalMessageRow,
  type OriginalRoomRow,
  OriginalTally,
} from './original-rows.js';
import { migrate } from './sqlite-schema.js';

/**
 * Recognising the database file before the store opens it, and adopting one the
 * original argybargy 1.0 (Python) wrote: both default to `~/.argybargy/argybargy.db`.
 *
 * Adoption is crash-safe: a consistent backup (VACUUM INTO, which includes what the
 * original's write-ahead log holds) is written beside the file first; the new
 * database is built in a temporary file next to it and renamed over the original
 * only when complete, while an exclusive lock keeps every other process out and the
 * original is in rollback-journal mode, so no -wal/-shm file of the original can
 * ever pair with the new file. Killed at any point, the next start either finds our
 * schema (renamed) or the original's (not yet) and adopts it again from the start.
 * The rows are streamed from the backup, so memory stays flat for any size.
 *
 * Two of our processes starting at once (the bridge and a CLI command) take turns
 * through a lock file (adopt-lock.ts): the second waits and then finds our schema;
 * what an adoption left behind is removed only by the lock's next holder.
 */

/** What an adoption did, for the one-line notice. */
export interface AdoptionReport {
  /** The data directory. */
  dir: string;
  /** The database file, now in our schema. */
  db: string;
  /** The backup of the original file (0600), beside it. */
  backup: string;
  codes: number;
  messages: number;
  rooms: number;
  audit: number;
}

/**
 * A database file that is neither ours nor the original's, or one that cannot be
 * opened or adopted (the message says why and what to do, in one line); nothing was changed.
 */
export class UnreadableDatabaseError extends Error {}

/** The one line a command or the server prints after an adoption (never a code). */
export function adoptionNotice(r: AdoptionReport): string {
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  return (
    `argybargy: adopted the original argybargy 1.0 data in ${r.dir} ` +
    `(${n(r.codes, 'code')}, ${n(r.messages, 'message')}, ${n(r.rooms, 'room')}); backup: ${r.backup}`
  );
}

type Kind = 'new' | 'ours' | 'original';

/** Attempts before giving up on a file another process keeps changing during adoption. */
const ATTEMPTS = 3;

/** How long a start waits for another process's adoption of the same file, in ms. */
const WAIT_FOR_OTHER_MS = 5 * 60_000;

/** How long the switch out of WAL mode and the exclusive lock are retried while another connection is in the way, in ms. */
const BUSY_RETRY_MS = 2_000;

/** Above this many messages or bytes, adoption says it is starting before it does. */
const BIG_MESSAGES = 50_000;
const BIG_BYTES = 10 * 1024 * 1024;

/** Options of prepareDatabaseFile. */
export interface PrepareOptions {
  /** The clock, in epoch ms. */
  now?: () => number;
  /** Told one line (never a secret) before a long adoption starts, and when waiting for another process's. */
  notice?: (line: string) => void;
  /** How long to wait for another process adopting the same file, in ms (default 5 minutes). */
  waitMs?: number;
}

/**
 * Makes the file at `path` ready for SqliteStore: nothing to do when it is missing,
 * empty or ours; the original's schema is adopted (see above) and reported; any
 * other file, or one that cannot be adopted, throws UnreadableDatabaseError naming
 * the file and its real cause, changed in nothing. One process adopts at a time
 * (adopt-lock.ts): another one waits for it (saying so once through `notice`, for
 * up to `waitMs`) and then finds our schema. Blocks the thread meanwhile.
 */
export function prepareDatabaseFile(path: string, opts: PrepareOptions = {}): AdoptionReport | null {
  if (!existsSync(path) || statSync(path).size === 0) return null;
  const now = opts.now ?? Date.now;
  const notice = opts.notice ?? (() => {});
  const lock = lockPath(path);
  const deadline = Date.now() + (opts.waitMs ?? WAIT_FOR_OTHER_MS);
  let told = false;
  for (;;) {
    // Not even opened while another process adopts it: an open connection would keep
    // that process from switching the original out of WAL mode.
    let holder = lockHolder(lock);
    if (holder === null) {
      if (peek(path) !== 'original') return null;
      checkWritable(path);
      holder = orFsError(() => tryLock(lock), path);
      if (holder === null) {
        try {
          return adoptLocked(path, now, notice);
        } finally {
          releaseLock(lock);
        }
      }
    }
    if (Date.now() >= deadline) {
      throw new UnreadableDatabaseError(
        `${path} is still being adopted by another process (pid ${holder || 'unknown'}, see ${lock}); wait for it, or if no other argybargy is running remove ${lock} and start again. Nothing was changed.`,
      );
    }
    if (!told) {
      notice(
        `argybargy: waiting for another process (pid ${holder || 'unknown'}) to finish adopting the original argybargy 1.0 data in ${dirname(path)}…`,
      );
      told = true;
    }
    sleepSync(100);
  }
}

/** Which schema the file holds, without changing it; throws UnreadableDatabaseError for any other. */
function peek(path: string): Kind {
  const db = openExisting(path);
  try {
    db.pragma('busy_timeout = 5000');
    return classify(db, path);
  } finally {
    db.close();
  }
}

/** Adopts the original's file while holding the lock: what an interrupted adoption left goes first. */
function adoptLocked(path: string, now: () => number, notice: (line: string) => void): AdoptionReport | null {
  removeLeftovers(path);
  let told = false;
  for (let attempt = 1; ; attempt++) {
    const outcome = tryAdopt(path, now, (messages) => {
      if (told || (messages <= BIG_MESSAGES && statSync(path).size <= BIG_BYTES)) return;
      told = true;
      notice(`argybargy: adopting the original argybargy 1.0 data in ${dirname(path)} (${messages} messages)…`);
    });
    if (outcome !== 'retry') return outcome;
    if (attempt === ATTEMPTS) {
      throw new UnreadableDatabaseError(
        `${path} kept changing while it was being adopted; stop whatever else writes to it (the original argybargy?) and start again. Nothing was changed.`,
      );
    }
  }
}

/**
 * One attempt: null (nothing to adopt), the report, or 'retry' when another process
 * changed the file meanwhile. `starting` is told the number of messages first.
 */
function tryAdopt(
  path: string,
  now: () => number,
  starting: (messages: number) => void,
): AdoptionReport | null | 'retry' {
  const inode = statSync(path).ino;
  const db = openExisting(path);
  let backup: string | null = null;
  let tmp: string | null = null;
  try {
    db.pragma('busy_timeout = 5000');
    if (classify(db, path) !== 'original') return null;
    const version = db.pragma('data_version', { simple: true });
    starting(sqlite(path, () => db.prepare('SELECT count(*) FROM messages').pluck().get() as number));

    // The backup is a consistent snapshot nobody else writes to: the new database is
    // streamed from it, and every value is converted (and checked) before the rename.
    backup = writeBackup(db, path, now());
    tmp = `${path}.adopting-${process.pid}`;
    const counts = buildAdopted(tmp, backup, path, now());

    // Rollback-journal mode, so the original has no write-ahead log left to pair with
    // the new file; its content is in the file (and the backup) by now.
    if (db.pragma('journal_mode', { simple: true }) === 'wal') {
      const mode = whileBusy(path, () => db.pragma('journal_mode = DELETE', { simple: true }));
      // SQLite answers with the mode it kept when another connection is in the way.
      if (mode !== 'delete') throw inUse(path);
    }
    whileBusy(path, () => db.exec('BEGIN EXCLUSIVE'));
    try {
      // Another process adopted it first, or wrote after our snapshot: start over.
      if (statSync(path).ino !== inode) return 'retry';
      if (db.pragma('data_version', { simple: true }) !== version) return 'retry';
      rmSync(`${path}-wal`, { force: true });
      rmSync(`${path}-shm`, { force: true });
      rmSync(`${path}-journal`, { force: true });
      orFsError(() => renameSync(tmp as string, path), path);
      tmp = null;
      fsyncDir(dirname(path));
    } finally {
      db.exec('ROLLBACK');
    }
    const report: AdoptionReport = { dir: dirname(path), db: path, backup, ...counts };
    backup = null; // kept: it is the way back
    return report;
  } finally {
    db.close();
    if (tmp) removeDb(tmp);
    if (backup) rmSync(backup, { force: true });
  }
}

/** The SQLite (or fs) error code of `e`, if it has one. */
function codeOf(e: unknown): string {
  return typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : '';
}

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(codeOf(e));
const isReadOnly = (e: unknown) => /^SQLITE_(READONLY|PERM|AUTH)/.test(codeOf(e));
const isFsDenied = (e: unknown) => ['EACCES', 'EPERM', 'EROFS'].includes(codeOf(e));

/**
 * Runs `fn`, retrying for a moment while another connection is in the way (a start
 * that is just looking at the file); SQLITE_BUSY after that means another process
 * keeps it open. Any SQLite error becomes an UnreadableDatabaseError with its cause.
 */
function whileBusy<T>(path: string, fn: () => T): T {
  const until = Date.now() + BUSY_RETRY_MS;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e)) throw sqliteFailure(path, e);
      if (Date.now() >= until) throw inUse(path);
      sleepSync(50);
    }
  }
}

/** Runs a read of the original, turning its SQLite error into one that says the cause. */
function sqlite<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw sqliteFailure(path, e);
  }
}

/** Runs a file operation of the adoption, turning a permission error into one that says what to do. */
function orFsError<T>(fn: () => T, path: string): T {
  try {
    return fn();
  } catch (e) {
    if (isFsDenied(e)) throw notWritable(dirname(path), path, codeOf(e));
    throw e;
  }
}

/** The one-line error for a SQLite failure during adoption, by its real cause. */
function sqliteFailure(path: string, e: unknown): Error {
  if (e instanceof UnreadableDatabaseError) return e;
  if (isBusy(e)) return inUse(path);
  if (isReadOnly(e)) return notWritable(path, path, codeOf(e));
  if (isFsDenied(e)) return notWritable(dirname(path), path, codeOf(e));
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(codeOf(e))) return unreadable(path, (e as Error).message);
  return new UnreadableDatabaseError(
    `${path} could not be adopted: ${(e as Error).message}${codeOf(e) ? ` (${codeOf(e)})` : ''}. Nothing was changed.`,
  );
}

function inUse(path: string): UnreadableDatabaseError {
  return new UnreadableDatabaseError(
    `${path} is in use by another process (is the original argybargy still running?); stop it and start again. Nothing was changed.`,
  );
}

/** `what` (the file, or its directory) is not writable for this user, so `path` cannot be adopted. */
function notWritable(what: string, path: string, code: string): UnreadableDatabaseError {
  const who = typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
  const isDir = what !== path;
  return new UnreadableDatabaseError(
    `${what}${isDir ? ', the data directory,' : ''} is not writable for this user${who}${code ? `: ${code}` : ''}; ` +
      `adopting the original argybargy 1.0 data ${isDir ? `writes a backup and a new database there` : 'replaces this file'}. ` +
      `Make it writable (chown/chmod) or run as its owner, then start again. Nothing was changed.`,
  );
}

/** Refuses before anything is written when the file or its directory cannot be written. */
function checkWritable(path: string): void {
  const dir = dirname(path);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw notWritable(dir, path, codeOf(e));
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (e) {
    throw notWritable(path, path, codeOf(e));
  }
}

function openExisting(path: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (e) {
    if (!(e instanceof Database.SqliteError)) {
      // Not the file: the native SQLite module (better-sqlite3) did not load.
      throw new UnreadableDatabaseError(
        `cannot open ${path}: the SQLite module (better-sqlite3) failed to load (${(e as Error).message.split('\n')[0]}); ` +
          `reinstall argybargy for this Node.js (${process.version}, ${process.platform}-${process.arch}). Nothing was changed.`,
      );
    }
    if (isFsDenied(e) || codeOf(e).startsWith('SQLITE_CANTOPEN') || codeOf(e).startsWith('SQLITE_PERM')) {
      throw new UnreadableDatabaseError(
        `cannot open ${path} (${(e as Error).message}); check that this user may read and write it and its directory. Nothing was changed.`,
      );
    }
    throw sqliteFailure(path, e);
  }
  return db;
}

function unreadable(path: string, why: string): UnreadableDatabaseError {
  return new UnreadableDatabaseError(
    `${path} is neither an argybargy database nor one the original argybargy 1.0 wrote (${why}). Nothing was changed; move it away or set ARGYBARGY_DATA to another directory.`,
  );
}

/** Which schema the file holds; throws UnreadableDatabaseError for any other. Reads only. */
function classify(db: Database.Database, path: string): Kind {
  const tables = sqlite(path, () =>
    (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{
        name: string;
      }>
    ).map((t) => t.name),
  );
  const rest = new Set(tables);
  if (rest.has('schema_version')) {
    if (sqlite(path, () => db.prepare('SELECT version FROM schema_version').get()) != null) return 'ours';
    // An empty schema_version: what an earlier start of ours left behind when it
    // refused the original's file (or a first start that never finished).
    rest.delete('schema_version');
  }
  if (rest.size === 0) return 'new';
  const missing = ORIGINAL_REQUIRED_TABLES.filter((t) => !rest.has(t));
  if (missing.length > 0) throw unreadable(path, `no table ${missing.join(', ')}; tables: ${tables.join(', ')}`);
  for (const table of rest) {
    const want = ORIGINAL_TABLES[table];
    if (!want) throw unreadable(path, `unknown table ${table}`);
    const have = new Set(
      sqlite(path, () => db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map(
        (c) => c.name,
      ),
    );
    const lacking = want.filter((c) => !have.has(c));
    if (lacking.length > 0) throw unreadable(path, `table ${table} has no column ${lacking.join(', ')}`);
  }
  return 'original';
}

/** `<file>.original-1.0.<UTC stamp>.bak`, 0600, a consistent copy; written under a .partial name first. */
function writeBackup(db: Database.Database, path: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  let backup = `${path}.original-1.0.${stamp}.bak`;
  for (let i = 2; existsSync(backup); i++) backup = `${path}.original-1.0.${stamp}-${i}.bak`;
  const partial = `${backup}.partial`;
  // VACUUM INTO keeps the mode of an existing empty file: owner-only from the start.
  orFsError(() => closeSync(openSync(partial, 'wx', 0o600)), path);
  try {
    sqlite(path, () => db.prepare('VACUUM INTO ?').run(partial));
    fsyncFile(partial);
    renameSync(partial, backup);
    fsyncDir(dirname(path));
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  return backup;
}

/**
 * Builds our schema with the original's data in the temporary file `tmp`, streaming
 * the rows of `source` (the backup) through the conversions of original-rows.ts in
 * one transaction: memory stays flat whatever the number of messages, and a value
 * that cannot be converted fails the whole build (UnreadableDatabaseError naming
 * `path`), before anything is renamed. Returns what it adopted.
 */
function buildAdopted(
  tmp: string,
  source: string,
  path: string,
  nowMs: number,
): Pick<AdoptionReport, 'codes' | 'messages' | 'rooms' | 'audit'> {
  removeDb(tmp);
  orFsError(() => closeSync(openSync(tmp, 'wx', 0o600)), path);
  const src = new Database(source, { readonly: true, fileMustExist: true });
  const db = new Database(tmp);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    migrate(db);
    // Two rows for one code (the same code plain and hashed): the first is kept.
    const code = db.prepare(
      `INSERT INTO codes (hash, plain, display, name, room, capabilities, created_at, expires_at)
       VALUES (@hash, @plain, @display, @name, @room, @capabilities, @created_at, @expires_at)
       ON CONFLICT (hash) DO NOTHING`,
    );
    const room = db.prepare(
      `INSERT INTO rooms (name, closed, closed_at, closed_by, created_at, last_seq, last_at, message_count)
       VALUES (@name, @closed, @closed_at, @closed_by, @created_at, @last_seq, @last_at, @message_count)`,
    );
    const message = db.prepare(
      `INSERT INTO messages (id, room, seq, at, sender, recipient, text, expects_reply, claimed_by)
       VALUES (@id, @room, @seq, @at, @sender, @recipient, @text, @expects_reply, @claimed_by)`,
    );
    const member = db.prepare(
      'INSERT INTO members (room, name, last_seq, last_at) VALUES (@room, @name, @last_seq, @last_at)',
    );
    const audit = db.prepare(
      `INSERT INTO audit (id, at, action, actor, room, detail, class)
       VALUES (@id, @at, @action, @actor, @room, @detail, @class)`,
    );
    const has = (t: string) => src.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
    const counts = { codes: 0, messages: 0, rooms: 0, audit: 0 };
    db.transaction(() => {
      const tally = new OriginalTally(nowMs);
      const codes = src.prepare(
        'SELECT code, display, name, room, capabilities, created, expires FROM codes ORDER BY rowid',
      );
      for (const r of codes.iterate() as IterableIterator<OriginalCodeRow>) {
        const row = adoptCode(r, hashCode);
        if (code.run(row).changes === 0) continue;
        tally.code(row);
        counts.codes++;
      }
      const messages = src.prepare(
        'SELECT id, room, seq, ts, sender, recipient, text, expects_reply, claimed_by FROM messages ORDER BY id',
      );
      for (const r of messages.iterate() as IterableIterator<OriginalMessageRow>) {
        const row = adoptMessage(r);
        message.run(row);
        tally.message(row);
        counts.messages++;
      }
      if (has('rooms')) {
        const statuses = src.prepare('SELECT room, status, closed_at, closed_by FROM rooms');
        for (const r of statuses.iterate() as IterableIterator<OriginalRoomRow>) tally.status(r);
      }
      if (has('audit')) {
        const rows = src.prepare('SELECT id, ts, action, actor, room, detail FROM audit ORDER BY id');
        for (const r of rows.iterate() as IterableIterator<OriginalAuditRow>) {
          audit.run(adoptAudit(r));
          counts.audit++;
        }
      }
      for (const r of tally.roomRows()) {
        room.run(r);
        counts.rooms++;
      }
      for (const r of tally.memberRows()) member.run(r);
    }).immediate();
    db.close();
    src.close();
    fsyncFile(tmp);
    return counts;
  } catch (e) {
    if (db.open) db.close();
    if (src.open) src.close();
    removeDb(tmp);
    if (e instanceof OriginalDataError) {
      throw new UnreadableDatabaseError(
        `${path} was written by the original argybargy 1.0 but cannot be adopted: ${e.message}. Nothing was changed.`,
      );
    }
    throw isFsDenied(e) ? notWritable(dirname(path), path, codeOf(e)) : sqliteFailure(path, e);
  }
}

/**
 * Removes what an interrupted adoption left: temporary databases and moved-aside
 * locks of processes that are gone, and partial backups. Called only while holding
 * the lock, so a partial backup is never a live process's (only the holder writes one).
 */
function removeLeftovers(path: string): void {
  const dir = dirname(path);
  const base = basename(path);
  const lock = basename(lockPath(path));
  for (const f of readdirSync(dir)) {
    const pid = (prefix: string) => {
      const rest = f.startsWith(prefix) ? f.slice(prefix.length) : '';
      return /^\d+$/.test(rest) ? Number(rest) : null;
    };
    const tmpOwner = pid(`${base}.adopting-`);
    if (tmpOwner !== null && !pidAlive(tmpOwner)) removeDb(join(dir, f));
    const asideOwner = pid(`${lock}.stale-`);
    if (asideOwner !== null && !pidAlive(asideOwner)) rmSync(join(dir, f), { force: true });
    if (f.startsWith(`${base}.original-1.0.`) && f.endsWith('.bak.partial')) rmSync(join(dir, f), { force: true });
  }
}

function removeDb(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    closeSync(fd);
  }
}
