import type { Command } from 'commander';
import { PeersAnswer } from '../../wire/messages.js';
import { ago, printJson, styles, table } from '../format.js';
import { agentCall, agentTarget } from '../http.js';
import type { CommandHost } from '../io.js';

/** `argybargy peers`: who is present in the agent's room. */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('peers')
    .description("List who is present in ARGYBARGY_CODE's room, with capabilities.")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  ARGYBARGY_CODE=... argybargy peers --json\n')
    .action(async (flags: { json?: boolean }) => {
      const res = await agentCall(await agentTarget(io), 'GET', '/peers', PeersAnswer);
      if (flags.json) return printJson(io, res);
      const s = styles(io);
      io.stdout(`Room ${res.room}\n`);
      io.stdout(
        table(
          ['NAME', 'ONLINE', 'SEEN', 'CAPABILITIES'],
          res.peers.map((p) => [
            s.bold(p.name),
            p.online ? s.green('yes') : s.dim('no'),
            `${ago(p.seconds_since_seen)} ago`,
            p.capabilities || '-',
          ]),
        ),
      );
    });
}
