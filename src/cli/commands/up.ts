import { rmSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dataPaths } from '../../app/data-dir.js';
import { styles } from '../format.js';
import type { CommandHost } from '../io.js';
import { findOnPath, startQuickTunnel, type Tunnel } from '../tunnel.js';
import { ADOPTION_HELP, type ServeFlags, startBridge, stopOnSignals } from './serve.js';

/** `argybargy up`: the bridge plus a Cloudflare quick tunnel when cloudflared is installed. */
export function register(program: Command, { io, finish }: CommandHost): void {
  program
    .command('up')
    .description('Run the bridge and, when cloudflared is on PATH, a quick tunnel with a public https URL.')
    .option('--host <host>', 'bind address (ARGYBARGY_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port (ARGYBARGY_PORT, default 8765)')
    .option('--data <dir>', 'state directory (ARGYBARGY_DATA, default ~/.argybargy)')
    .option('--no-tunnel', 'local only: do not start cloudflared')
    .addHelpText('after', `\nExamples:\n  argybargy up\n  argybargy up --no-tunnel --port 9000\n${ADOPTION_HELP}`)
    .action(async (flags: ServeFlags & { tunnel: boolean }) => {
      const running = await startBridge(io, flags);
      const paths = dataPaths(running.ctx.config.dataDir);
      rmSync(paths.url, { force: true });
      const s = styles(io);
      let tunnel: Tunnel | null = null;
      let publicUrl: string | null = null;
      // Before anything is announced (or the tunnel starts): a signal must find the handlers.
      finish(
        stopOnSignals(async () => {
          await tunnel?.stop();
          rmSync(paths.url, { force: true });
          await running.close();
        }, io),
      );
      if (flags.tunnel) {
        const bin = findOnPath('cloudflared', io.env);
        if (!bin) {
          io.stderr('argybargy: cloudflared is not on PATH, so there is no public URL; serving locally only.\n');
        } else {
          tunnel = startQuickTunnel(bin, running.url);
          publicUrl = await tunnel.url;
          if (publicUrl) writeFileSync(paths.url, `${publicUrl}\n`);
          else io.stderr('argybargy: cloudflared did not report a public URL; serving locally only.\n');
          tunnel.child.once('exit', () => {
            rmSync(paths.url, { force: true });
            if (publicUrl) io.stderr('argybargy: the tunnel stopped; the bridge carries on locally.\n');
          });
        }
      }
      io.stdout(
        [
          '',
          s.bold('argybargy is up'),
          `  public URL:   ${publicUrl ? s.green(publicUrl) : s.dim('none (local only)')}`,
          `  local URL:    ${running.url}`,
          `  dashboard:    ${publicUrl ?? running.url}/dashboard`,
          `  admin token:  ${paths.adminToken}  (print it with: argybargy token)`,
          `  add an agent: argybargy invite --name <agent>`,
          '  stop:         Ctrl-C',
          '',
        ].join('\n'),
      );
    });
}
