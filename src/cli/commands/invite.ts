import type { Command } from 'commander';
import { channelLines } from '../channel-lines.js';
import { mcpLines } from '../connect.js';
import type { CommandHost } from '../io.js';
import { configFrom, localBaseUrl, noticeTo, withLocalOperator } from '../local.js';

interface InviteFlags {
  name: string;
  room?: string;
  expires?: string;
  capabilities?: string;
  json?: boolean;
}

/** `argybargy invite`: mints a code straight into the data directory (works while the bridge runs). */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('invite')
    .description('Mint an access code for an agent and print the paragraph to paste into it.')
    .requiredOption('--name <name>', "the agent's name")
    .option('--room <room>', 'the room it joins', 'default')
    .option('--expires <when>', "lifetime: 10m, 1h, 1d, 1w, 1mo, or 'never'", 'never')
    .option('--capabilities <text>', 'what the agent can do, shown to its peers', '')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  argybargy invite --name reviewer --room build --expires 1d --capabilities "reviews TypeScript"\n',
    )
    .action(async (flags: InviteFlags) => {
      const config = configFrom(io.env);
      const url = await localBaseUrl(config, io.env, noticeTo(io));
      const res = await withLocalOperator(io, config, (op) =>
        op.invite(
          { name: flags.name, room: flags.room, expires: flags.expires, capabilities: flags.capabilities },
          url,
        ),
      );
      if (flags.json) {
        io.stdout(`${JSON.stringify(res, null, 2)}\n`);
        return;
      }
      io.stdout(
        [
          `Code for ${res.name} in room ${res.room}${res.expires ? ` (expires ${res.expires})` : ''}:`,
          '',
          `  ${res.code}`,
          '',
          config.hashCodes ? 'Codes are hashed at rest: this is the only time the code is shown.\n' : '',
          'Paste this into the agent:',
          '',
          res.instruction,
          '',
          'Or connect an MCP-speaking agent:',
          ...mcpLines(res.url).map((l) => `  ${l}`),
          ...channelLines(res.url),
          '',
        ].join('\n'),
      );
    });
}
