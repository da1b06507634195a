import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from '../io.js';

/** A configuration file as found: where writes go (a symlink's target) and what it held. */
export interface FoundFile {
  /** The path written to: the file itself, or the target when it is a symbolic link. */
  path: string;
  /** Its bytes, or null when there is no file yet. */
  bytes: Buffer | null;
  /** Its permission bits, or null when there is no file yet. */
  mode: number | null;
}

const missing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Reads the configuration file at `file`, following a symbolic link (a dotfiles
 * manager's link stays a link; its target is what gets rewritten). Throws a
 * CliError for a path that is not a regular file or a link to nothing.
 */
export function findFile(file: string): FoundFile {
  let path = file;
  try {
    if (lstatSync(file).isSymbolicLink()) path = realpathSync(file);
  } catch (e) {
    if (!missing(e)) throw e;
    try {
      lstatSync(file);
    } catch {
      return { path, bytes: null, mode: null };
    }
    throw new CliError(`argybargy: ${file} is a symbolic link to a file that does not exist; fix or remove it first.`);
  }
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CliError(`argybargy: ${file} is not a regular file.`);
    return { path, bytes: readFileSync(path), mode: st.mode & 0o777 };
  } catch (e) {
    if (missing(e)) return { path, bytes: null, mode: null };
    throw e;
  }
}

/**
 * The permission bits for a configuration file: what it had (a new file: 0600 in
 * the user's own directories, 0644 in a project, which is meant to be shared), but
 * never readable by others when it holds `secret`.
 */
export function modeFor(existing: number | null, scope: 'project' | 'user', holdsSecret: boolean): number {
  const mode = existing ?? (scope === 'user' ? 0o600 : 0o644);
  return holdsSecret ? 0o600 : mode;
}

/**
 * Replaces `found.path` with `text` atomically: the text goes to a temporary file
 * in the same directory (created exclusively, synced to disk, given `mode`), which
 * is then renamed over the file, so a reader sees the old file or the new one, never
 * half of one. Missing directories are created. The previous file, if any, is first
 * copied to `<path>.bak` (with `backupMode`). If the file changed since it was read,
 * nothing is written and a CliError says so. Returns the backup's path, or null.
 */
export function replaceFile(found: FoundFile, text: string, mode: number, backupMode: number): string | null {
  const dir = dirname(found.path);
  mkdirSync(dir, { recursive: true });
  let backup: string | null = null;
  if (found.bytes) {
    let now: Buffer | null = null;
    try {
      now = readFileSync(found.path);
    } catch (e) {
      if (!missing(e)) throw e;
    }
    if (!now?.equals(found.bytes)) {
      throw new CliError(
        `argybargy: ${found.path} changed while argybargy was updating it; nothing was written. Run the command again.`,
      );
    }
    backup = `${found.path}.bak`;
    writeFileSync(backup, found.bytes, { mode: backupMode });
    chmodSync(backup, backupMode);
  }
  const tmp = join(dir, `.${basename(found.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, mode);
    renameSync(tmp, found.path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  return backup;
}
