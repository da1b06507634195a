import type { Config } from '../config.js';
import type { Live } from '../live/live.js';
import { memoryLive } from '../live/memory.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { dataPaths, ensureDataDir } from './data-dir.js';

/**
 * The durable store the configuration asks for: PostgreSQL when
 * ARGYBARGY_DATABASE_URL is set (its driver loaded only then), else SQLite in the
 * data directory. Throws a readable Error when the database cannot be reached.
 */
export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('../store/postgres.js');
    return openPostgresStore(config.databaseUrl);
  }
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.dir);
  return new SqliteStore(paths.db);
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
