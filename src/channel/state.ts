import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** What a channel remembers between runs, per bridge URL and code. */
export interface ChannelState {
  /** Every message the agent may see with seq <= cursor has been written to stdout. */
  cursor: number;
  /** The last exit event pushed (so a restart does not announce the same closing again). */
  announced: string | null;
}

/**
 * The directory channels keep their state in: `<ARGYBARGY_DATA or ~/.argybargy>/channels`,
 * made 0700 (the parents it creates too).
 */
export function channelDir(env: Record<string, string | undefined>): string {
  const raw = env.ARGYBARGY_DATA?.trim() || '~/.argybargy';
  const base = raw === '~' ? homedir() : raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : resolve(raw);
  return join(base, 'channels');
}

/** The file name stem for one bridge and code: a hash, so the code never appears in a path. */
export function stateKey(url: string, code: string): string {
  return createHash('sha256').update(`argybargy-channel\n${url}\n${code}`).digest('hex').slice(0, 32);
}

/**
 * The state file of one channel (`<key>.json`, mode 0600) and its lock (`<key>.lock`,
 * holding the pid of the process that pushes for this code).
 */
export class StateFile {
  readonly path: string;
  readonly lockPath: string;
  private locked = false;

  constructor(
    readonly dir: string,
    key: string,
    private readonly meta: Record<string, string> = {},
  ) {
    this.path = join(dir, `${key}.json`);
    this.lockPath = join(dir, `${key}.lock`);
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    try {
      chmodSync(this.dir, 0o700);
    } catch {
      // not ours to change (another user's directory): the files stay 0600
    }
  }

  /** The saved state, or a fresh one (cursor 0) when there is none or it cannot be read. */
  load(): ChannelState {
    try {
      const raw = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<ChannelState>;
      const cursor = Number.isSafeInteger(raw.cursor) && (raw.cursor as number) >= 0 ? (raw.cursor as number) : 0;
      return { cursor, announced: typeof raw.announced === 'string' ? raw.announced : null };
    } catch {
      return { cursor: 0, announced: null };
    }
  }

  /**
   * Saves `state` durably before returning: written to a temporary file (0600),
   * fsynced, renamed over the old one, and the directory fsynced, so a crash leaves
   * either the old state or the new one, never a torn file.
   */
  save(state: ChannelState): void {
    this.ensureDir();
    const tmp = `${this.path}.${process.pid}.tmp`;
    const body = `${JSON.stringify({ ...this.meta, ...state, updated: new Date().toISOString() }, null, 2)}\n`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, body);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    try {
      const dirFd = openSync(this.dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    } catch {
      // directories cannot be fsynced everywhere (Windows); the rename is atomic regardless
    }
  }

  /**
   * Takes the lock for this code unless a live process holds it: returns null
   * when taken, or the pid of the holder. A lock left by a process that died is
   * taken over.
   */
  tryLock(): number | null {
    if (this.locked) return null;
    this.ensureDir();
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockPath, 'wx', 0o600);
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        this.locked = true;
        return null;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readPid(this.lockPath);
      if (holder !== null && holder !== process.pid && alive(holder)) return holder;
      try {
        unlinkSync(this.lockPath); // stale: its process is gone
      } catch {
        // someone else removed it first; try again
      }
    }
    return readPid(this.lockPath) ?? -1;
  }

  /** Gives the lock back (only if this process holds it). */
  unlock(): void {
    if (!this.locked) return;
    this.locked = false;
    try {
      if (readPid(this.lockPath) === process.pid) unlinkSync(this.lockPath);
    } catch {
      // already gone
    }
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
