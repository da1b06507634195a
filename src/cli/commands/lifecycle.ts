import type { Command } from 'commander';
import { RoomChanged } from '../../wire/operator.js';
import { adminCall, adminTarget } from '../http.js';
import type { CommandHost } from '../io.js';
import { configFrom } from '../local.js';

/** `argybargy close ROOM` and `argybargy reopen ROOM`: the operator ends a room's session or opens it again. */
export function register(program: Command, { io }: CommandHost): void {
  for (const action of ['close', 'reopen'] as const) {
    program
      .command(action)
      .description(
        action === 'close'
          ? 'Close a room: parked agents are told to leave at once; their posts get 409.'
          : 'Reopen a closed room.',
      )
      .argument('<room>', 'the room')
      .option('--by <name>', 'who acts, for the audit log', 'operator')
      .option('--url <url>', 'a remote bridge (admin token from ARGYBARGY_ADMIN_TOKEN)')
      .addHelpText('after', `\nExample:\n  argybargy ${action} build\n`)
      .action(async (room: string, flags: { by: string; url?: string }) => {
        const target = await adminTarget(io, configFrom(io.env), flags.url);
        const res = await adminCall(target, 'POST', `/admin/rooms/${encodeURIComponent(room)}/${action}`, RoomChanged, {
          by: flags.by,
        });
        io.stdout(
          res.room.status === 'closed'
            ? `Room ${room} is closed (by ${res.room.closed_by}); parked agents were told to leave.\n`
            : `Room ${room} is open.\n`,
        );
      });
  }
}
