import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, type BridgeProcess, spawnBridge as spawnTestBridge, stopProcess } from '../../test/support/processes.js';

/** The built bridge the benchmarks run. */
export const BUNDLE = BIN;

/**
 * What a scenario runs against: one or more bridge nodes serving the same rooms.
 * Embedded mode has one node; a cluster target lists several, and scenarios spread
 * their agents over `nodes` round-robin, so the same code measures both.
 */
export interface Target {
  mode: string;
  nodes: string[];
  adminToken: string;
  pids: number[];
  /** Picks the node for the i-th agent. */
  node(i: number): string;
  stop(): Promise<void>;
}

/** Starts one bridge process on a random port (node flags from BENCH_NODE_ARGS, e.g. --cpu-prof). */
export function spawnBridge(env: Record<string, string>): Promise<BridgeProcess> {
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  return spawnTestBridge(env, { nodeArgs });
}

/** The embedded bridge: one process, SQLite in a fresh temporary data directory. */
export async function embedded(env: Record<string, string> = {}): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'argybargy-bench-'));
  const { url, child } = await spawnBridge({ ARGYBARGY_DATA: dir, ...env });
  const adminToken = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  return {
    mode: 'embedded',
    nodes: [url],
    adminToken,
    pids: [child.pid ?? 0],
    node: () => url,
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time (user + system) a process has used, in milliseconds (Linux /proc). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the full line, in clock ticks (100 Hz).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
