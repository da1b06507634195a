import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { hashCode } from '../secrets.js';
import {
  type AdoptedData,
  adoptOriginal,
  ORIGINAL_REQUIRED_TABLES,
  ORIGINAL_TABLES,
  type OriginalData,
  OriginalDataError,
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

/** A database file that is neither ours nor the original's, or cannot be adopted; nothing was changed. */
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

/**
 * Makes the file at `path` ready for SqliteStore: nothing to do when it is missing,
 * empty or ours; the original's schema is adopted (see above) and reported; any
 * other file throws UnreadableDatabaseError naming it, changed in nothing.
 */
export function prepareDatabaseFile(path: string, now: () => number = Date.now): AdoptionReport | null {
  if (!existsSync(path) || statSync(path).size === 0) return null;
  removeLeftovers(path);
  for (let attempt = 1; ; attempt++) {
    const outcome = tryAdopt(path, now);
    if (outcome !== 'retry') return outcome;
    if (attempt === ATTEMPTS) {
      throw new UnreadableDatabaseError(
        `${path} kept changing while it was being adopted; stop whatever else writes to it (the original argybargy?) and start again. Nothing was changed.`,
      );
    }
  }
}

/** One attempt: null (nothing to adopt), the report, or 'retry' when another process changed the file meanwhile. */
function tryAdopt(path: string, now: () => number): AdoptionReport | null | 'retry' {
  const inode = statSync(path).ino;
  const db = openExisting(path);
  let backup: string | null = null;
  let tmp: string | null = null;
  try {
    db.pragma('busy_timeout = 5000');
    if (classify(db, path) !== 'original') return null;
    const version = db.pragma('data_version', { simple: true });
    const data = convert(readOriginal(db), path, now());

    backup = writeBackup(db, path, now());
    tmp = buildAdopted(path, data);

    // Rollback-journal mode, so the original has no write-ahead log left to pair with
    // the new file; its content is in the file (and the backup) by now.
    if (db.pragma('journal_mode', { simple: true }) === 'wal') {
      if (orNull(() => db.pragma('journal_mode = DELETE', { simple: true })) !== 'delete') throw inUse(path);
    }
    if (orNull(() => db.exec('BEGIN EXCLUSIVE')) === null) throw inUse(path);
    try {
      // Another process adopted it first, or wrote after our snapshot: start over.
      if (statSync(path).ino !== inode) return 'retry';
      if (db.pragma('data_version', { simple: true }) !== version) return 'retry';
      rmSync(`${path}-wal`, { force: true });
      rmSync(`${path}-shm`, { force: true });
      rmSync(`${path}-journal`, { force: true });
      renameSync(tmp, path);
      tmp = null;
      fsyncDir(dirname(path));
    } finally {
      db.exec('ROLLBACK');
    }
    const report: AdoptionReport = {
      dir: dirname(path),
      db: path,
      backup,
      codes: data.codes.length,
      messages: data.messages.length,
      rooms: data.rooms.length,
      audit: data.audit.length,
    };
    backup = null; // kept: it is the way back
    return report;
  } finally {
    db.close();
    if (tmp) removeDb(tmp);
    if (backup) rmSync(backup, { force: true });
  }
}

/** What `fn` returns, or null when it throws (SQLITE_BUSY: another process holds the file). */
function orNull<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

function inUse(path: string): UnreadableDatabaseError {
  return new UnreadableDatabaseError(
    `${path} is in use by another process (is the original argybargy still running?); stop it and start again. Nothing was changed.`,
  );
}

function openExisting(path: string): Database.Database {
  try {
    return new Database(path, { fileMustExist: true });
  } catch (e) {
    throw unreadable(path, (e as Error).message);
  }
}

function unreadable(path: string, why: string): UnreadableDatabaseError {
  return new UnreadableDatabaseError(
    `${path} is neither an argybargy database nor one the original argybargy 1.0 wrote (${why}). Nothing was changed; move it away or set ARGYBARGY_DATA to another directory.`,
  );
}

/** Which schema the file holds; throws UnreadableDatabaseError for any other. Reads only. */
function classify(db: Database.Database, path: string): Kind {
  let tables: string[];
  try {
    tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
  } catch (e) {
    throw unreadable(path, (e as Error).message);
  }
  const rest = new Set(tables);
  if (rest.has('schema_version')) {
    if (orNull(() => db.prepare('SELECT version FROM schema_version').get()) != null) return 'ours';
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
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map((c) => c.name),
    );
    const lacking = want.filter((c) => !have.has(c));
    if (lacking.length > 0) throw unreadable(path, `table ${table} has no column ${lacking.join(', ')}`);
  }
  return 'original';
}

/** Every row of the original, from one read transaction. */
function readOriginal(db: Database.Database): OriginalData {
  const has = (t: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
  return db
    .transaction(() => ({
      codes: db
        .prepare('SELECT code, display, name, room, capabilities, created, expires FROM codes ORDER BY rowid')
        .all() as OriginalData['codes'],
      messages: db
        .prepare(
          'SELECT id, room, seq, ts, sender, recipient, text, expects_reply, claimed_by FROM messages ORDER BY id',
        )
        .all() as OriginalData['messages'],
      rooms: has('rooms')
        ? (db.prepare('SELECT room, status, closed_at, closed_by FROM rooms').all() as OriginalData['rooms'])
        : [],
      audit: has('audit')
        ? (db
            .prepare('SELECT id, ts, action, actor, room, detail FROM audit ORDER BY id')
            .all() as OriginalData['audit'])
        : [],
    }))
    .deferred();
}

function convert(data: OriginalData, path: string, nowMs: number): AdoptedData {
  try {
    return adoptOriginal(data, hashCode, nowMs);
  } catch (e) {
    if (e instanceof OriginalDataError) {
      throw new UnreadableDatabaseError(
        `${path} was written by the original argybargy 1.0 but cannot be adopted: ${e.message}. Nothing was changed.`,
      );
    }
    throw e;
  }
}

/** `<file>.original-1.0.<UTC stamp>.bak`, 0600, a consistent copy; written under a .partial name first. */
function writeBackup(db: Database.Database, path: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  let backup = `${path}.original-1.0.${stamp}.bak`;
  for (let i = 2; existsSync(backup); i++) backup = `${path}.original-1.0.${stamp}-${i}.bak`;
  const partial = `${backup}.partial`;
  // VACUUM INTO keeps the mode of an existing empty file: owner-only from the start.
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    fsyncFile(partial);
    renameSync(partial, backup);
    fsyncDir(dirname(path));
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  return backup;
}

/** Our schema with the original's data, in a temporary file beside `path`; returns its name. */
function buildAdopted(path: string, data: AdoptedData): string {
  const tmp = `${path}.adopting-${process.pid}`;
  removeDb(tmp);
  closeSync(openSync(tmp, 'wx', 0o600));
  const db = new Database(tmp);
  try {
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    migrate(db);
    const code = db.prepare(
      `INSERT INTO codes (hash, plain, display, name, room, capabilities, created_at, expires_at)
       VALUES (@hash, @plain, @display, @name, @room, @capabilities, @created_at, @expires_at)`,
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
    db.transaction(() => {
      for (const r of data.codes) code.run(r);
      for (const r of data.rooms) room.run(r);
      for (const r of data.messages) message.run(r);
      for (const r of data.members) member.run(r);
      for (const r of data.audit) audit.run(r);
    }).immediate();
  } catch (e) {
    db.close();
    removeDb(tmp);
    throw e;
  }
  db.close();
  fsyncFile(tmp);
  return tmp;
}

/** Removes what an interrupted adoption left: temporary databases of processes that are gone, partial backups. */
function removeLeftovers(path: string): void {
  const dir = dirname(path);
  const base = basename(path);
  for (const f of readdirSync(dir)) {
    const pid = f.startsWith(`${base}.adopting-`) ? f.slice(base.length + '.adopting-'.length) : '';
    if (/^\d+$/.test(pid) && !alive(Number(pid))) removeDb(join(dir, f));
    if (f.startsWith(`${base}.original-1.0.`) && f.endsWith('.bak.partial')) rmSync(join(dir, f), { force: true });
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
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
