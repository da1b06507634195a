import type { Command } from 'commander';
import { roomBrief } from '../brief.js';
import { channelLines } from '../channel-lines.js';
import { mcpLines } from '../connect.js';
import { printJson } from '../format.js';
import type { CommandHost } from '../io.js';
import { configFrom, localBaseUrl, noticeTo, withLocalOperator } from '../local.js';

interface RoomFlags {
  worker: string;
  operator: string;
  expires: string;
  json?: boolean;
}

/** `argybargy room NAME`: create a room, mint a worker and an operator code, print the brief. */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('room')
    .description('Create a room with a worker code and an operator code, and print a paste-ready brief.')
    .argument('<name>', 'the room')
    .option('--worker <name>', "the worker agent's name", 'worker')
    .option('--operator <name>', "the operator's own agent name", 'operator')
    .option('--expires <when>', "lifetime of both codes: 10m, 1h, 1d, 1w, 1mo or 'never'", 'never')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  argybargy room build --worker coder --expires 1d\n')
    .action(async (name: string, flags: RoomFlags) => {
      const config = configFrom(io.env);
      const url = await localBaseUrl(config, io.env, noticeTo(io));
      const out = await withLocalOperator(io, config, async (op) => {
        const { room } = await op.createRoom(name);
        const worker = await op.invite({ name: flags.worker, room: room.name, expires: flags.expires }, url);
        const operator = await op.invite({ name: flags.operator, room: room.name, expires: flags.expires }, url);
        return { room: room.name, url, worker, operator };
      });
      if (flags.json) return printJson(io, out);
      io.stdout(
        [
          `Room ${out.room} is ready at ${url}.`,
          '',
          `Operator code (${out.operator.name}): ${out.operator.code}`,
          `  Listen in:  ARGYBARGY_URL=${url} ARGYBARGY_CODE=<operator code> argybargy listen`,
          `  Or post as the operator: argybargy post ${out.room} "..."`,
          '',
          `Connect the worker (${out.worker.name}) as an MCP server:`,
          ...mcpLines(url).map((l) => `  ${l}`),
          ...channelLines(url),
          '',
          `Or paste this brief into the worker agent (${out.worker.name}):`,
          '',
          '-----',
          roomBrief({ url, room: out.room, name: out.worker.name, code: out.worker.code }),
          '-----',
          '',
        ].join('\n'),
      );
    });
}
