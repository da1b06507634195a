import type { Config } from '../config.js';
import type { Live } from '../live/live.js';
import { memoryLive } from '../live/memory.js';
import { SqliteStore } from '../store/sqlite.js';
import { adoptionNotice } from '../store/sqlite-adopt.js';
import type { Store } from '../store/store.js';
import { dataPaths, ensureDataDir } from './data-dir.js';

/** Where a one-line notice for the operator goes (stderr for the CLI and the server); never given a secret. */
export type Notice = (line: string) => void;

/** Options of openStore. */
export interface OpenStoreOptions {
  /** Told in one line when the data directory of the original argybargy 1.0 was adopted, before a long adoption, and while waiting for another process's. */
  notice?: Notice;
}

/**
 * The durable store the configuration asks for: PostgreSQL when
 * ARGYBARGY_DATABASE_URL is set (its driver loaded only then), else SQLite in the
 * data directory, adopting a database the original argybargy 1.0 wrote there (and
 * saying so through `notice`). Throws a readable one-line Error when the database
 * cannot be reached or holds a schema that is neither ours nor the original's.
 */
export async function openStore(config: Config, opts: OpenStoreOptions = {}): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('../store/postgres.js');
    return openPostgresStore(config.databaseUrl);
  }
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.dir);
  return new SqliteStore(paths.db, { onAdopted: (r) => opts.notice?.(adoptionNotice(r)), notice: opts.notice });
}

/** The live state: Redis when ARGYBARGY_REDIS_URL is set (shared by every node), else in memory. */
export async function openLive(config: Config): Promise<Live> {
  const rate = {
    rateMax: config.rateMax,
    rateWindowSeconds: config.rateWindowSeconds,
    authFailuresPerMinute: config.authFailuresPerMinute,
  };
  if (config.redisUrl) {
    const { openRedisLive } = await import('../live/redis.js');
    return openRedisLive({ url: config.redisUrl, prefix: config.redisPrefix, ...rate });
  }
  return memoryLive(rate);
}
