import type { Command } from 'commander';
import { dataPaths } from '../../app/data-dir.js';
import { type RunningBridge, startServer } from '../../app/server.js';
import { loggerOptions } from '../../log.js';
import { VERSION } from '../../version.js';
import type { CliIO, CommandHost } from '../io.js';
import { CliError } from '../io.js';
import { configFrom, noticeTo } from '../local.js';

/** What --help says about a data directory of the original argybargy 1.0. */
export const ADOPTION_HELP =
  '\nA data directory the original argybargy 1.0 wrote is adopted on the first start, after a\nbackup beside it (README: "Upgrading from the original argybargy").\n';

export interface ServeFlags {
  host?: string;
  port?: string;
  data?: string;
}

/** Applies --host/--port/--data over the environment. */
export function serveEnv(io: CliIO, flags: ServeFlags): Record<string, string | undefined> {
  const env = { ...io.env };
  if (flags.host !== undefined) env.ARGYBARGY_HOST = flags.host;
  if (flags.port !== undefined) env.ARGYBARGY_PORT = flags.port;
  if (flags.data !== undefined) env.ARGYBARGY_DATA = flags.data;
  return env;
}

/** Starts the bridge; resolves with the running bridge. Throws CliError when the address is taken or not allowed. */
export async function startBridge(io: CliIO, flags: ServeFlags): Promise<RunningBridge> {
  const config = configFrom(serveEnv(io, flags));
  let running: RunningBridge;
  try {
    running = await startServer(config, {
      logger: await loggerOptions(config, { pretty: io.isTTY === true }),
      notice: noticeTo(io),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      throw new CliError(
        `argybargy: port ${config.port} on ${config.host} is in use. Is a bridge already running? Pick another with --port.`,
      );
    }
    if (err.code === 'EACCES') throw new CliError(`argybargy: not allowed to listen on ${config.host}:${config.port}.`);
    throw e;
  }
  return running;
}

/** Prints where everything is (what `serve` shows once it listens). */
export function announce(io: CliIO, running: RunningBridge): void {
  const paths = dataPaths(running.ctx.config.dataDir);
  io.stderr(
    [
      `argybargy ${VERSION} is listening on ${running.url}`,
      `  agent guide:  ${running.url}/`,
      `  dashboard:    ${running.url}/dashboard`,
      `  data:         ${paths.dir}`,
      `  admin token:  ${paths.adminToken}  (print it with: argybargy token)`,
      '',
    ].join('\n'),
  );
}

/**
 * Stops the bridge cleanly on SIGINT/SIGTERM; a second signal exits at once. The
 * handlers are installed before this returns: call it before telling anyone the
 * bridge is up, or a signal sent on that news finds none and kills the process.
 */
export function stopOnSignals(stop: () => Promise<void>, io: CliIO): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      io.stderr(`argybargy: ${sig} received, answering parked polls and shutting down…\n`);
      stop().then(
        () => resolve(0),
        (e) => {
          io.stderr(`argybargy: shutdown failed: ${(e as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** `argybargy serve`: the bridge only. */
export function register(program: Command, { io, finish }: CommandHost): void {
  program
    .command('serve')
    .description('Run the bridge (no tunnel).')
    .option('--host <host>', 'bind address (ARGYBARGY_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port (ARGYBARGY_PORT, default 8765)')
    .option('--data <dir>', 'state directory (ARGYBARGY_DATA, default ~/.argybargy)')
    .addHelpText('after', `\nExample:\n  argybargy serve --port 9000 --data ./state\n${ADOPTION_HELP}`)
    .action(async (flags: ServeFlags) => {
      const running = await startBridge(io, flags);
      finish(stopOnSignals(() => running.close(), io));
      announce(io, running);
    });
}
