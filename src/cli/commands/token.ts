import type { Command } from 'commander';
import { dataPaths, loadOrCreateAdminToken } from '../../datadir.js';
import type { CommandHost } from '../io.js';
import { configFrom } from '../local.js';

/** `argybargy token`: prints the admin token (creating it on first use). */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('token')
    .description('Print the admin token for the dashboard and /admin endpoints.')
    .addHelpText('after', '\nExample:\n  argybargy token | pbcopy\n')
    .action(() => {
      const config = configFrom(io.env);
      io.stdout(`${loadOrCreateAdminToken(dataPaths(config.dataDir))}\n`);
    });
}
