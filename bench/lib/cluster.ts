import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { spawnBridge, type Target } from './target.js';

export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when PostgreSQL and Redis answer, so the cluster run can go ahead. */
export async function clusterServicesUp(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 2000 });
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await c.connect();
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
    r.disconnect();
  }
}

/**
 * Several bridge nodes sharing a fresh PostgreSQL database and a Redis key prefix of
 * their own; both are removed when the target stops. Agents are spread over the nodes.
 */
export async function cluster(nodes: number, env: Record<string, string> = {}): Promise<Target> {
  const db = `argybargy_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_BASE });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(PG_BASE);
  url.pathname = `/${db}`;
  const prefix = `argybargy-bench:${randomBytes(5).toString('hex')}:`;
  const dirs: string[] = [];
  const shared = {
    ARGYBARGY_DATABASE_URL: url.toString(),
    ARGYBARGY_REDIS_URL: REDIS_URL,
    ARGYBARGY_REDIS_PREFIX: prefix,
    ...env,
  };
  // The first node migrates; the rest start against a ready schema.
  const first = await spawnBridge({ ...shared, ARGYBARGY_DATA: mk(dirs) });
  const rest = await Promise.all(
    Array.from({ length: nodes - 1 }, () => spawnBridge({ ...shared, ARGYBARGY_DATA: mk(dirs) })),
  );
  const all = [first, ...rest];
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  const token = (await c.query("SELECT value FROM settings WHERE key = 'admin_token'")).rows[0].value as string;
  await c.end();
  return {
    mode: `cluster-${nodes}`,
    nodes: all.map((n) => n.url),
    adminToken: token,
    pids: all.map((n) => n.child.pid ?? 0),
    node: (i) => all[i % all.length].url,
    async stop() {
      await Promise.all(
        all.map(
          (n) =>
            new Promise<void>((resolve) => {
              if (n.child.exitCode !== null) return resolve();
              n.child.once('exit', () => resolve());
              n.child.kill('SIGTERM');
            }),
        ),
      );
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      const a = new pg.Client({ connectionString: PG_BASE });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await a.end();
      const r = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await r.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      r.disconnect();
    },
  };
}

function mk(dirs: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'argybargy-bench-node-'));
  dirs.push(d);
  return d;
}
