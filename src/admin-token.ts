import { statSync } from 'node:fs';
import type { AdminTokens } from './context.js';
import { type DataPaths, loadOrCreateAdminToken, writeSecretFile } from './datadir.js';
import { newAdminToken } from './secrets.js';

/** The admin token kept in `<data>/admin.token` (0600); re-read when the file changes. */
export class FileAdminTokens implements AdminTokens {
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
