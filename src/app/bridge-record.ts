import { readFileSync, rmSync } from 'node:fs';
import { type DataPaths, writeSecretFile } from './data-dir.js';

/**
 * Where a running bridge listens, as it writes it to `<data>/bridge.json` once it
 * listens (and removes it on a clean shutdown), so commands run in another terminal,
 * without the bridge's ARGYBARGY_PORT or ARGYBARGY_HOST, still find it.
 */
export interface BridgeRecord {
  /** The URL the bridge is reached at from this machine (no trailing slash). */
  url: string;
  /** The address it is bound to (ARGYBARGY_HOST). */
  host: string;
  /** The port it listens on (the one picked when asked for 0). */
  port: number;
  /** The bridge's process id. */
  pid: number;
  /** When it started listening, ISO 8601. */
  started: string;
}

/** Writes the record atomically, owner-only (0600). */
export function writeBridgeRecord(paths: DataPaths, record: BridgeRecord): void {
  writeSecretFile(paths.bridge, `${JSON.stringify(record, null, 2)}\n`);
}

/** The record in the data directory if there is a well-formed one, else null (never throws). */
export function readBridgeRecord(paths: DataPaths): BridgeRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(paths.bridge, 'utf8'));
  } catch {
    return null;
  }
  const r = parsed as Partial<BridgeRecord> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.url !== 'string' ||
    !/^http:\/\/[^\s/?#]+$/.test(r.url) ||
    typeof r.host !== 'string' ||
    !Number.isInteger(r.port) ||
    (r.port as number) < 1 ||
    (r.port as number) > 65535 ||
    !Number.isInteger(r.pid) ||
    (r.pid as number) < 1 ||
    typeof r.started !== 'string'
  ) {
    return null;
  }
  return { url: r.url, host: r.host, port: r.port as number, pid: r.pid as number, started: r.started };
}

/**
 * Removes the record if it is still this bridge's (same pid and port): another
 * bridge started on the same data directory since then has written its own.
 */
export function removeBridgeRecord(paths: DataPaths, mine: Pick<BridgeRecord, 'pid' | 'port'>): void {
  const current = readBridgeRecord(paths);
  if (current && (current.pid !== mine.pid || current.port !== mine.port)) return;
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

/** Whether an argybargy bridge answers GET /health at `url` within `timeoutMs`. */
async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as { status?: unknown };
    return res.ok && body?.status === 'ok';
  } catch {
    return false;
  }
}

/**
 * The record of the bridge running on this data directory, or null when there is
 * none or it is stale: a bridge that was killed leaves its file behind, so the
 * record counts only while its process is alive and a bridge answers at its URL
 * (a process id can be reused). `timeoutMs` bounds the check (default 2000 ms).
 */
export async function findRunningBridge(paths: DataPaths, timeoutMs = 2000): Promise<BridgeRecord | null> {
  const record = readBridgeRecord(paths);
  if (!record || !processAlive(record.pid)) return null;
  return (await answers(record.url, timeoutMs)) ? record : null;
}
