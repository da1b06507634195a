import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

/**
 * The lock file that lets one process at a time adopt the original's database:
 * `<db>.adopt.lock`, created with O_EXCL (`wx`, so exactly one process can create it)
 * and holding the creator's pid. A lock whose pid is gone (killed part-way) is stale
 * and is broken by the next process; what that process left is removed only then.
 */

/** The lock file of the database file `db`. */
export function lockPath(db: string): string {
  return `${db}.adopt.lock`;
}

/** A lock file with no pid yet (its creator is between create and write) counts as held for this long, in ms. */
const UNWRITTEN_GRACE_MS = 10_000;

/**
 * Takes the lock once: null when this process now holds it, else the pid of the
 * live process that does (0 when its pid is not written yet). A stale lock is
 * broken first. Throws the fs error (EACCES, EROFS…) when the file cannot be created.
 */
export function tryLock(lock: string): number | null {
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = lockHolder(lock);
    if (holder !== null) return holder;
    // Stale and broken (or gone meanwhile): try again.
  }
}

/**
 * The pid of the live process holding `lock` (0 when its pid is not written yet),
 * or null when there is no lock or it was stale and has been removed.
 */
export function lockHolder(lock: string): number | null {
  const pid = readPid(lock);
  if (pid === undefined) return null;
  if (pid === null) {
    // Created but not yet written, or written by something else: held for a while.
    const age = orUndefined(() => Date.now() - statSync(lock).mtimeMs);
    if (age === undefined) return null;
    if (age < UNWRITTEN_GRACE_MS) return 0;
  } else if (pidAlive(pid)) {
    return pid;
  }
  breakStale(lock, pid);
  return null;
}

/** Removes the lock if this process holds it. */
export function releaseLock(lock: string): void {
  if (readPid(lock) === process.pid) rmSync(lock, { force: true });
}

/**
 * Moves a stale lock aside under a name of our own (atomic, so two processes never
 * both remove one), and puts it back when it turns out to be another, live holder's
 * lock created in between.
 */
function breakStale(lock: string, stalePid: number | null): void {
  const aside = `${lock}.stale-${process.pid}`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else broke it first
  }
  if (readPid(aside) !== stalePid) {
    try {
      linkSync(aside, lock); // never over a lock yet another process has created
    } catch {
      // That process holds it now; the one we moved loses it at its release.
    }
  }
  rmSync(aside, { force: true });
}

/** The pid in the file; null when it holds none; undefined when there is no file. */
function readPid(file: string): number | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return /^\d+\n$/.test(text) ? Number(text.trim()) : null;
}

/** Whether a process with this pid is running (this process's own pid counts as not: a lock of ours is a leftover). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Blocks this thread for `ms` (start-up only, before anything is served). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function orUndefined<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
