import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newAdminToken } from '../secrets.js';
import { readSmallFile } from './small-file.js';

/** The files the bridge keeps in its data directory. */
export interface DataPaths {
  dir: string;
  db: string;
  adminToken: string;
  url: string;
  /** Where the running bridge listens (see bridge-record.ts). */
  bridge: string;
}

/** The paths inside a data directory. */
export function dataPaths(dir: string): DataPaths {
  return {
    dir,
    db: join(dir, 'argybargy.db'),
    adminToken: join(dir, 'admin.token'),
    url: join(dir, 'url.txt'),
    bridge: join(dir, 'bridge.json'),
  };
}

/**
 * Creates the data directory owner-only (0700) if it is missing, and makes an
 * existing one owner-only too when it is ours: it holds the database with every
 * code and message, and the admin token.
 */
export function ensureDataDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory (ARGYBARGY_DATA).`);
  const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
  if (mine && (st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Writes a secret file atomically with mode 0600: never readable by others, even briefly. */
export function writeSecretFile(path: string, content: string): void {
  // Unique per write: two bridges of one process (tests) may write the same file at once.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Reads the admin token, creating one (0600) on first start; repairs a too-open mode. */
export function loadOrCreateAdminToken(paths: DataPaths): string {
  ensureDataDir(paths.dir);
  if (existsSync(paths.adminToken)) {
    const file = readSmallFile(paths.adminToken, 4096);
    if (file && 'problem' in file)
      throw new Error(`${paths.adminToken}: ${file.problem}; remove it to get a new admin token.`);
    const token = file?.text.trim();
    if (token) {
      if ((statSync(paths.adminToken).mode & 0o077) !== 0) chmodSync(paths.adminToken, 0o600);
      return token;
    }
  }
  const token = newAdminToken();
  writeSecretFile(paths.adminToken, `${token}\n`);
  return token;
}

/** The public URL saved by the tunnel (url.txt), without a trailing slash, or null. */
export function readPublicUrl(paths: DataPaths): string | null {
  const file = readSmallFile(paths.url, 4096);
  if (!file || 'problem' in file) return null;
  const u = file.text.trim().replace(/\/+$/, '');
  return /^https?:\/\/\S+$/.test(u) ? u : null;
}
