import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { type Static, Type } from 'typebox';
import { localUrl } from '../config.js';
import { shapeProblem } from '../wire/check.js';
import { Health } from '../wire/messages.js';
import { type DataPaths, writeSecretFile } from './data-dir.js';
import { readSmallFile } from './small-file.js';

/** The largest bridge.json read (a real one is about 200 bytes). */
export const MAX_RECORD_BYTES = 4096;

/** The shape of `<data>/bridge.json`. */
const RecordShape = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 300 }),
  host: Type.String({ minLength: 1, maxLength: 255 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  pid: Type.Integer({ minimum: 1 }),
  started: Type.String({ maxLength: 64 }),
  instance: Type.String({ pattern: '^[A-Za-z0-9_-]{16,128}$' }),
});

/**
 * Where a running bridge listens, as it writes it to `<data>/bridge.json` once it
 * listens (and removes it on a clean shutdown), so commands run in another terminal,
 * without the bridge's ARGYBARGY_PORT or ARGYBARGY_HOST, still find it.
 *
 * - `url`: the URL the bridge is reached at from this machine (no trailing slash):
 *   always `localUrl(host, port)`, and only a loopback one is ever used.
 * - `host`: the address it is bound to (ARGYBARGY_HOST); `port`: the one it listens
 *   on (the one picked when asked for 0); `pid`: its process id; `started`: ISO 8601.
 * - `instance`: a random id of this start, also answered by its GET /health, so a
 *   command can tell this bridge from whatever else answers at that address later
 *   (not a secret: the data directory holds it anyway).
 */
export type BridgeRecord = Static<typeof RecordShape>;

/** Where notices go: one line for the operator (stderr in the CLI). */
export type RecordNotice = (line: string) => void;

/** A fresh instance id for one start of a bridge (128 random bits, base64url). */
export function newInstanceId(): string {
  return randomBytes(16).toString('base64url');
}

/** Writes the record atomically, owner-only (0600). */
export function writeBridgeRecord(paths: DataPaths, record: BridgeRecord): void {
  writeSecretFile(paths.bridge, `${JSON.stringify(record, null, 2)}\n`);
}

/** Whether a URL's hostname (as `new URL` gives it) is this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (bare.toLowerCase() === 'localhost') return true;
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === 'loopback';
}

/** Why the record's URL must not be used, or null: loopback http, no credentials, and exactly its host and port. */
function urlProblem(r: BridgeRecord): string | null {
  let u: URL;
  try {
    u = new URL(r.url);
  } catch {
    return 'its url is not a URL';
  }
  if (u.protocol !== 'http:') return 'its url is not http';
  if (u.username !== '' || u.password !== '') return 'its url carries credentials';
  if (r.url !== localUrl(r.host, r.port)) return 'its url is not the address of its host and port';
  if (!isLoopbackHost(u.hostname))
    return 'its url is not on this machine (not loopback): set ARGYBARGY_HOST and ARGYBARGY_PORT to reach that bridge';
  return null;
}

/**
 * The record in the data directory if there is a well-formed one, else null (never
 * throws, never blocks). It is read only when it is a regular file of at most
 * MAX_RECORD_BYTES, holds the record's shape, and its URL is a loopback http URL
 * matching its own host and port; otherwise `notice` hears one line saying why it
 * was ignored (no file at all is not worth a notice).
 */
export function readBridgeRecord(paths: DataPaths, notice?: RecordNotice): BridgeRecord | null {
  const ignored = (why: string) => {
    notice?.(`argybargy: ignoring ${paths.bridge}: ${why}.`);
    return null;
  };
  const file = readSmallFile(paths.bridge, MAX_RECORD_BYTES);
  if (file === null) return null;
  if ('problem' in file) return ignored(file.problem);
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.text);
  } catch {
    return ignored('it is not valid JSON');
  }
  const problem = shapeProblem(RecordShape, parsed);
  if (problem !== null) return ignored(`it is not a bridge record (${problem})`);
  const r = parsed as BridgeRecord;
  const record: BridgeRecord = {
    url: r.url,
    host: r.host,
    port: r.port,
    pid: r.pid,
    started: r.started,
    instance: r.instance,
  };
  const bad = urlProblem(record);
  return bad === null ? record : ignored(bad);
}

/**
 * Removes the record if it is still this bridge's (same instance): another bridge
 * started on the same data directory since then has written its own.
 */
export function removeBridgeRecord(paths: DataPaths, mine: Pick<BridgeRecord, 'instance'>): void {
  const current = readBridgeRecord(paths);
  if (current?.instance !== mine.instance) return;
  rmSync(paths.bridge, { force: true });
}

/** Whether a process with this id exists (one of another user's counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What answers GET /health at `url` within `timeoutMs`: the instance of the
 * argybargy bridge there, `null` when nothing answers, or `'other'` when something
 * answers that is not an argybargy bridge of this kind (no instance). Nothing secret is sent.
 */
async function healthInstance(url: string, timeoutMs: number): Promise<string | null | 'other'> {
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return null;
  }
  try {
    const body: unknown = JSON.parse(await res.text());
    if (!res.ok || shapeProblem(Health, body) !== null) return 'other';
    return (body as { instance: string }).instance;
  } catch {
    return 'other';
  }
}

/** How findRunningBridge checks. */
export interface FindOptions {
  /** How long the GET /health check may take, ms (default 2000). */
  timeoutMs?: number;
  /** Hears one line when a record is ignored for a reason worth saying (not plain staleness). */
  notice?: RecordNotice;
}

/**
 * The record of the bridge running on this data directory, or null when there is
 * none or it is stale. A bridge that was killed leaves its file behind and both its
 * process id and its port may be reused by something else, so the record counts
 * only while its process is alive and GET /health at its URL answers the record's
 * own `instance`: no credential goes to an address before that.
 */
export async function findRunningBridge(paths: DataPaths, opts: FindOptions = {}): Promise<BridgeRecord | null> {
  const record = readBridgeRecord(paths, opts.notice);
  if (!record || !processAlive(record.pid)) return null;
  const instance = await healthInstance(record.url, opts.timeoutMs ?? 2000);
  if (instance === record.instance) return record;
  if (instance !== null) {
    opts.notice?.(
      `argybargy: ignoring ${paths.bridge}: what answers at ${record.url} is not the bridge that wrote it (a stale record).`,
    );
  }
  return null;
}
