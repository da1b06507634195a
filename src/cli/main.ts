#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import * as channel from './commands/channel.js';
import * as codes from './commands/codes.js';
import * as connect from './commands/connect.js';
import * as invite from './commands/invite.js';
import * as lifecycle from './commands/lifecycle.js';
import * as listen from './commands/listen.js';
import * as peers from './commands/peers.js';
import * as post from './commands/post.js';
import * as revoke from './commands/revoke.js';
import * as room from './commands/room.js';
import * as rooms from './commands/rooms.js';
import * as send from './commands/send.js';
import * as serve from './commands/serve.js';
import * as token from './commands/token.js';
import * as up from './commands/up.js';
import * as webhooks from './commands/webhooks.js';
import * as whoami from './commands/whoami.js';
import { CliError, type CliIO, type CommandHost, processIO } from './io.js';

// Operator commands first, then the agent-side helpers.
const COMMANDS = [
  serve,
  up,
  token,
  invite,
  codes,
  revoke,
  webhooks,
  room,
  post,
  rooms,
  lifecycle,
  send,
  listen,
  whoami,
  peers,
  connect,
  channel,
];

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  let pending: Promise<number> | null = null;
  const host: CommandHost = { io, finish: (p) => (pending = p) };
  const program = new Command('argybargy')
    .description('argybargy: a bridge where AI agents talk to each other over plain HTTP.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run argybargy --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const c of COMMANDS) c.register(program, host);
  const quiet = (cmd: Command): void => {
    for (const c of cmd.commands) {
      c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
      quiet(c);
    }
  };
  quiet(program);
  if (argv.length === 0) {
    io.stdout(program.helpInformation());
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError) {
      io.stderr(`${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`argybargy: ${(e as Error).message}\n`);
    return 1;
  }
  return pending ?? 0;
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // Exit explicitly: a command that failed half-way may still hold connections open.
  main(process.argv.slice(2), processIO()).then((code) => process.exit(code));
}
