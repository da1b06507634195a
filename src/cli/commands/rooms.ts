import type { Command } from 'commander';
import type { StateAnswer } from '../../wire/operator.js';
import { ago, oneLine, printJson, styles, table } from '../format.js';
import { adminCall, adminTarget } from '../http.js';
import type { CommandHost } from '../io.js';
import { configFrom } from '../local.js';

/** `argybargy rooms`: every room with status, volume, last activity and who is waiting on the operator. */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('rooms')
    .description('List rooms: status, messages, last activity, and who is waiting for an answer.')
    .option('--url <url>', 'a remote bridge (admin token from ARGYBARGY_ADMIN_TOKEN)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  argybargy rooms\n')
    .action(async (flags: { url?: string; json?: boolean }) => {
      const state = await adminCall<StateAnswer>(
        await adminTarget(io, configFrom(io.env), flags.url),
        'GET',
        '/admin/state',
      );
      const waitingBy = new Map<string, StateAnswer['waiting']>();
      for (const w of state.waiting) waitingBy.set(w.room, [...(waitingBy.get(w.room) ?? []), w]);
      if (flags.json) {
        printJson(
          io,
          state.rooms.map((r) => ({ ...r, waiting: waitingBy.get(r.room) ?? [] })),
        );
        return;
      }
      if (state.rooms.length === 0) {
        io.stdout('No rooms yet. Create one with: argybargy room <name>\n');
        return;
      }
      const s = styles(io);
      io.stdout(
        table(
          ['ROOM', 'STATUS', 'MESSAGES', 'LAST', 'WAITING ON YOU'],
          state.rooms.map((r) => {
            const w = waitingBy.get(r.room) ?? [];
            return [
              s.bold(r.room),
              r.status === 'closed' ? s.dim(`closed${r.closed_by ? ` by ${r.closed_by}` : ''}`) : s.green('open'),
              String(r.messages),
              ago(r.seconds_since_last),
              w.length ? s.yellow(w.map((x) => `${x.from} (${ago(x.waiting_seconds)})`).join(', ')) : '-',
            ];
          }),
        ),
      );
      for (const w of state.waiting.slice(0, 10)) {
        io.stdout(
          `  ${s.yellow('?')} ${w.room} #${w.seq} ${w.from} → ${w.expects_reply_resolved}: ${oneLine(w.text)}\n`,
        );
      }
    });
}
