import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';

/** Where the machine's PostgreSQL and Redis are (override with TEST_PG_URL / TEST_REDIS_URL). */
export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function pgUp(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function redisUp(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** True when both PostgreSQL and Redis answer. */
export async function servicesUp(): Promise<boolean> {
  const [p, r] = await Promise.all([pgUp(), redisUp()]);
  return p && r;
}

/**
 * Whether the cluster tests can run. In CI (CI=true) they must: a missing service is
 * an error, never a skip. Elsewhere the reason is returned so the suite says why it skipped.
 */
export async function clusterSkipReason(): Promise<string | false> {
  const [p, r] = await Promise.all([pgUp(), redisUp()]);
  if (p && r) return false;
  const missing = [p ? null : `PostgreSQL at ${PG_BASE}`, r ? null : `Redis at ${REDIS_URL}`]
    .filter(Boolean)
    .join(' and ');
  if (process.env.CI === 'true') throw new Error(`CI needs ${missing} for the cluster tests (.ci/run starts them).`);
  return `cluster tests skipped: no ${missing}`;
}

/** A fresh database for one test (or suite, or benchmark run), dropped afterwards; returns its URL. */
export async function freshDatabase(
  t: TestContext | null,
  kind = 't',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `argybargy_${kind}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_BASE });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_BASE);
  u.pathname = `/${name}`;
  const drop = async () => {
    const c = new pg.Client({ connectionString: PG_BASE });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
  t?.after(drop);
  return { url: u.toString(), drop };
}

/** A key prefix of its own for one test (or benchmark run), whose keys are deleted afterwards. */
export function freshPrefix(t: TestContext | null, kind = 'test'): { prefix: string; clean: () => Promise<void> } {
  const prefix = `argybargy-${kind}:${randomBytes(6).toString('hex')}:`;
  const clean = async () => {
    const r = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await r.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      r.disconnect();
    }
  };
  t?.after(clean);
  return { prefix, clean };
}
