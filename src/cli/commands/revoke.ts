import type { Command } from 'commander';
import { RevokeAnswer } from '../../wire/operator.js';
import { adminCall, adminTarget } from '../http.js';
import { CliError, type CommandHost } from '../io.js';
import { configFrom, withLocalOperator } from '../local.js';

/**
 * `argybargy revoke NAME|CODE`: through the running bridge when there is one (so the
 * code stops working on its very next request), else straight in the data directory.
 */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('revoke')
    .description('Revoke every code of an agent (by name), or one code.')
    .argument('<target>', 'agent name or code')
    .option('--room <room>', 'only the codes of this room (when revoking by name)')
    .option('--url <url>', 'a remote bridge (admin token from ARGYBARGY_ADMIN_TOKEN)')
    .addHelpText('after', '\nExamples:\n  argybargy revoke alice\n  argybargy revoke alice --room build\n')
    .action(async (target: string, flags: { url?: string; room?: string }) => {
      const config = configFrom(io.env);
      let revoked: number;
      try {
        revoked = (
          await adminCall(await adminTarget(io, config, flags.url), 'POST', '/admin/revoke', RevokeAnswer, {
            target,
            room: flags.room,
          })
        ).revoked;
      } catch (e) {
        if (flags.url || !(e instanceof CliError) || !/no bridge is answering/.test(e.message)) throw e;
        revoked = (await withLocalOperator(io, config, (op) => op.revoke(target, flags.room))).revoked;
      }
      if (revoked === 0)
        throw new CliError(`argybargy: no code matched '${target.length > 20 ? `${target.slice(0, 6)}…` : target}'.`);
      io.stdout(`Revoked ${revoked} code${revoked === 1 ? '' : 's'}.\n`);
    });
}
