import { FileAdminTokens } from './admin-token.js';
import type { Config } from './config.js';
import type { AdminTokens } from './context.js';
import { dataPaths, ensureDataDir } from './datadir.js';
import type { Live } from './live/live.js';
import { MemoryLive } from './live/memory.js';
import { newAdminToken } from './secrets.js';
import { SqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

/**
 * The durable store the configuration asks for: PostgreSQL when
 * ARGYBARGY_DATABASE_URL is set (its driver loaded only then), else SQLite in the
 * data directory.
 */
export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('./store/postgres.js');
    return openPostgresStore(config.databaseUrl);
  }
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.dir);
  return new SqliteStore(paths.db);
}

/** The live state: Redis when ARGYBARGY_REDIS_URL is set (shared by every node), else in memory. */
export async function openLive(config: Config): Promise<Live> {
  const rate = { rateMax: config.rateMax, rateWindowSeconds: config.rateWindowSeconds };
  if (config.redisUrl) {
    const { openRedisLive } = await import('./live/redis.js');
    return openRedisLive({ url: config.redisUrl, prefix: config.redisPrefix, ...rate });
  }
  return new MemoryLive(rate);
}

/** The admin token kept in the database, so every node of a cluster shares it and a rotation reaches all at once. */
export class StoreAdminTokens implements AdminTokens {
  constructor(private readonly store: Store) {}

  /** Creates the token on the first start of the first node. */
  async init(): Promise<void> {
    await this.store.initSetting('admin_token', newAdminToken());
  }

  async current(): Promise<string> {
    return (await this.store.getSetting('admin_token')) ?? '';
  }

  async rotate(): Promise<string> {
    const token = newAdminToken();
    await this.store.setSetting('admin_token', token);
    return token;
  }
}

/** Where the admin token lives: the database in cluster mode, else `<data>/admin.token`. */
export async function openAdminTokens(config: Config, store: Store): Promise<AdminTokens> {
  if (config.databaseUrl) {
    const tokens = new StoreAdminTokens(store);
    await tokens.init();
    return tokens;
  }
  return new FileAdminTokens(dataPaths(config.dataDir));
}
