import type { Command } from 'commander';
import { StateAnswer } from '../../wire/operator.js';
import { ago, oneLine, printJson, styles, table } from '../format.js';
import { adminCall, adminTarget } from '../http.js';
import type { CommandHost } from '../io.js';
import { configFrom } from '../local.js';

/** `argybargy rooms`: every room with status, volume, last activity and who is waiting on the operator. */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('rooms')
    .description(
      'List rooms: status, messages, last activity, who is waiting on you, and your own questions still open.',
    )
    .option('--url <url>', 'a remote bridge (admin token from ARGYBARGY_ADMIN_TOKEN)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  argybargy rooms\n')
    .action(async (flags: { url?: string; json?: boolean }) => {
      const state = await adminCall(
        await adminTarget(io, configFrom(io.env), flags.url),
        'GET',
        '/admin/state',
        StateAnswer,
      );
      type Row = StateAnswer['waiting'][number];
      const byRoom = (rows: Row[]) => {
        const out = new Map<string, Row[]>();
        for (const w of rows) out.set(w.room, [...(out.get(w.room) ?? []), w]);
        return out;
      };
      const waitingBy = byRoom(state.waiting);
      const inboxBy = byRoom(state.inbox);
      const askedBy = byRoom(state.asked);
      if (flags.json) {
        printJson(
          io,
          state.rooms.map((r) => ({
            ...r,
            waiting: waitingBy.get(r.room) ?? [],
            inbox: inboxBy.get(r.room) ?? [],
            asked: askedBy.get(r.room) ?? [],
          })),
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
            const w = inboxBy.get(r.room) ?? [];
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
      for (const w of state.inbox.slice(0, 10)) {
        io.stdout(`  ${s.yellow('?')} ${w.room} #${w.seq} ${w.from} → ${addressee(w)}: ${oneLine(w.text)}\n`);
      }
      for (const w of state.asked.slice(0, 10)) {
        io.stdout(`  ${s.dim('…')} ${w.room} #${w.seq} you (${w.from}) → ${addressee(w)}: ${oneLine(w.text)}\n`);
      }
    });
}

/** Whom an open question is addressed to, as a human reads it: a question to a non-member goes to nobody. */
function addressee(w: StateAnswer['waiting'][number]): string {
  return w.waits_on === 'nobody' ? `nobody (no such agent: ${w.expects_reply_resolved})` : w.expects_reply_resolved;
}
