import type { Command } from 'commander';
import { Whoami } from '../../wire/messages.js';
import { printJson } from '../format.js';
import { agentCall, agentTarget } from '../http.js';
import type { CommandHost } from '../io.js';

/** `argybargy whoami`: the identity behind ARGYBARGY_CODE. */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('whoami')
    .description('Show the name, room and capabilities of the code in ARGYBARGY_CODE.')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  ARGYBARGY_URL=http://127.0.0.1:8765 ARGYBARGY_CODE=... argybargy whoami\n')
    .action(async (flags: { json?: boolean }) => {
      const me = await agentCall(await agentTarget(io), 'GET', '/whoami', Whoami);
      if (flags.json) return printJson(io, me);
      io.stdout(`${me.name} in room ${me.room}${me.capabilities ? ` — ${me.capabilities}` : ''}\n`);
    });
}
