import type { Command } from 'commander';

import { type CodeListing, CodesAnswer } from '../../wire/operator.js';
import { printJson, styles, table } from '../format.js';
import { adminCall, adminTarget } from '../http.js';
import type { CommandHost } from '../io.js';
import { configFrom, withLocalOperator } from '../local.js';
import { forTerminal } from '../terminal.js';

/** `argybargy codes`: every access code, from the data directory (or a remote bridge with --url). */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('codes')
    .description('List access codes (masked when codes are hashed at rest).')
    .option('--url <url>', 'a remote bridge (admin token from ARGYBARGY_ADMIN_TOKEN)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  argybargy codes --json | jq -r ".[].name"\n')
    .action(async (flags: { url?: string; json?: boolean }) => {
      const config = configFrom(io.env);
      const codes: CodeListing[] = flags.url
        ? (await adminCall(await adminTarget(io, config, flags.url), 'GET', '/admin/codes', CodesAnswer)).codes
        : forTerminal(io, await withLocalOperator(io, config, (op) => op.codes()));
      if (flags.json) return printJson(io, codes);
      if (codes.length === 0) {
        io.stdout('No codes yet. Mint one with: argybargy invite --name <agent>\n');
        return;
      }
      const s = styles(io);
      io.stdout(
        table(
          ['NAME', 'ROOM', 'CAPABILITIES', 'EXPIRES', 'CODE'],
          codes.map((c) => [
            s.bold(c.name),
            c.room,
            c.capabilities || '-',
            c.expired ? s.red(`expired ${c.expires}`) : (c.expires ?? 'never'),
            c.code,
          ]),
        ),
      );
    });
}
