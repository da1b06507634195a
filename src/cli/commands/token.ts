import type { Command } from 'commander';
import { openAdminTokens } from '../../app/admin-tokens.js';
import { openStore } from '../../app/backends.js';
import { dataPaths, loadOrCreateAdminToken } from '../../app/data-dir.js';
import type { CommandHost } from '../io.js';
import { configFrom, noticeTo } from '../local.js';

/** `argybargy token`: prints the admin token (creating it on first use). */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('token')
    .description('Print the admin token for the dashboard and /admin endpoints.')
    .addHelpText('after', '\nExample:\n  argybargy token | pbcopy\n')
    .action(async () => {
      const config = configFrom(io.env);
      if (!config.databaseUrl) {
        io.stdout(`${loadOrCreateAdminToken(dataPaths(config.dataDir))}\n`);
        return;
      }
      // Cluster mode: the token lives in the database, shared by every node.
      const store = await openStore(config, { notice: noticeTo(io) });
      try {
        io.stdout(`${await (await openAdminTokens(config, store)).current()}\n`);
      } finally {
        await store.close();
      }
    });
}
