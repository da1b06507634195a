import { statSync } from 'node:fs';
import type { Config } from '../config.js';
import { newAdminToken } from '../secrets.js';
import type { AdminTokens } from '../services/context.js';
import type { Store } from '../store/store.js';
import { type DataPaths, dataPaths, loadOrCreateAdminToken, writeSecretFile } from './data-dir.js';

/** The admin token kept in `<data>/admin.token` (0600); re-read when the file changes. */
class FileAdminTokens implements AdminTokens {
  private token: string;
  private mtime = 0;

  constructor(private readonly paths: DataPaths) {
    this.token = loadOrCreateAdminToken(paths);
    this.mtime = this.fileMtime();
  }

  async current(): Promise<string> {
    const m = this.fileMtime();
    if (m !== this.mtime) {
      this.token = loadOrCreateAdminToken(this.paths);
      this.mtime = this.fileMtime();
    }
    return this.token;
  }

  async rotate(): Promise<string> {
    const token = newAdminToken();
    writeSecretFile(this.paths.adminToken, `${token}\n`);
    this.token = token;
    this.mtime = this.fileMtime();
    return token;
  }

  private fileMtime(): number {
    try {
      return statSync(this.paths.adminToken).mtimeMs;
    } catch {
      return -1;
    }
  }
}

/** The admin token kept in the database, so every node of a cluster shares it and a rotation reaches all at once. */
class StoreAdminTokens implements AdminTokens {
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
