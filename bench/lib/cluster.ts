import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { stopProcess } from '../../test/support/processes.js';
import { freshDatabase, freshPrefix, REDIS_URL, servicesUp } from '../../test/support/services.js';
import { spawnBridge, type Target } from './target.js';

/** True when PostgreSQL and Redis answer, so the cluster run can go ahead. */
export const clusterServicesUp = servicesUp;

/**
 * Several bridge nodes sharing a fresh PostgreSQL database and a Redis key prefix of
 * their own; both are removed when the target stops. Agents are spread over the nodes.
 */
export async function cluster(nodes: number, env: Record<string, string> = {}): Promise<Target> {
  const db = await freshDatabase(null, 'bench');
  const { prefix, clean } = freshPrefix(null, 'bench');
  const dirs: string[] = [];
  const shared = {
    ARGYBARGY_DATABASE_URL: db.url,
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
  const c = new pg.Client({ connectionString: db.url });
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
      await Promise.all(all.map((n) => stopProcess(n.child)));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      await db.drop();
      await clean();
    },
  };
}

function mk(dirs: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'argybargy-bench-node-'));
  dirs.push(d);
  return d;
}
