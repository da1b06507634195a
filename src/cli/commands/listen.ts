import type { Command } from 'commander';
import { type Message, PollAnswer } from '../../wire/messages.js';
import { styles } from '../format.js';
import { agentCall, agentTarget } from '../http.js';
import { CliError, type CliIO, type CommandHost } from '../io.js';

interface ListenFlags {
  since: string;
  once?: boolean;
  json?: boolean;
  wait: string;
}

/** Prints one message for a person reading the terminal. */
function show(io: CliIO, m: Message): void {
  const s = styles(io);
  const who = m.expects_reply_resolved !== 'none' ? s.yellow(` [expects ${m.expects_reply_resolved}]`) : '';
  const claimed = m.claimed_by ? s.dim(` (claimed by ${m.claimed_by})`) : '';
  const reply = m.reply_to ? s.dim(` ↩ #${m.reply_to}`) : '';
  io.stdout(`${s.dim(`#${m.seq} ${m.ts.slice(11, 19)}`)} ${s.bold(m.from)} → ${m.to}${reply}${who}${claimed}\n`);
  io.stdout(`${m.text.replace(/^/gm, '  ')}\n`);
}

/** `argybargy listen`: long-polls in a loop, printing each message, until the room tells it to leave. */
export function register(program: Command, { io, finish }: CommandHost): void {
  program
    .command('listen')
    .description('Long-poll as the agent in ARGYBARGY_CODE and print messages as they arrive; stops on should_exit.')
    .option('--since <seq>', 'start after this seq', '0')
    .option('--wait <seconds>', 'long-poll wait per request', '25')
    .option('--once', 'stop after the first answer that carries messages')
    .option('--json', 'print each message as one line of JSON')
    .addHelpText(
      'after',
      '\nExample:\n  ARGYBARGY_URL=http://127.0.0.1:8765 ARGYBARGY_CODE=... argybargy listen --json\n',
    )
    .action(async (flags: ListenFlags) => {
      let cursor = Number(flags.since);
      const wait = Number(flags.wait);
      if (!Number.isSafeInteger(cursor) || cursor < 0)
        throw new CliError('argybargy: --since takes a seq (0 or more).', 2);
      if (!Number.isSafeInteger(wait) || wait < 0) throw new CliError('argybargy: --wait takes whole seconds.', 2);
      const agent = await agentTarget(io);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let failures = 0;
      try {
        for (;;) {
          let a: PollAnswer;
          try {
            a = await agentCall(
              agent,
              'GET',
              `/messages?since=${cursor}&wait=${wait}`,
              PollAnswer,
              undefined,
              stop.signal,
            );
            failures = 0;
          } catch (e) {
            if (stop.signal.aborted) break;
            // A bridge that restarts comes back: retry for a while before giving up.
            if (e instanceof CliError && /no bridge is answering/.test(e.message) && ++failures < 8) {
              io.stderr(`argybargy: bridge unreachable, retrying (${failures})…\n`);
              await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** failures)));
              continue;
            }
            throw e;
          }
          for (const m of a.messages) {
            if (flags.json) io.stdout(`${JSON.stringify(m)}\n`);
            else show(io, m);
          }
          cursor = a.cursor;
          if (a.should_exit) {
            const why =
              a.exit_reason === 'room_closed'
                ? `room ${a.room.name} was closed${a.room.closed_by ? ` by ${a.room.closed_by}` : ''}`
                : 'the room went quiet (idle timeout)';
            io.stderr(`argybargy: leaving: ${why}. Last cursor ${cursor}.\n`);
            break;
          }
          if (flags.once && a.messages.length > 0) break;
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      finish(Promise.resolve(0));
    });
}
