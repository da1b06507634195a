import type { Command } from 'commander';
import { PostAnswer } from '../../wire/messages.js';
import { claimLeaseOption, printPostedJson, printWarnings, replyNote, replyToOption } from '../format.js';
import { adminCall, adminTarget } from '../http.js';
import type { CommandHost } from '../io.js';
import { configFrom } from '../local.js';

interface PostFlags {
  as?: string;
  to?: string;
  expects?: string;
  replyTo?: string;
  claimLease?: string;
  url?: string;
  json?: boolean;
}

/** `argybargy post ROOM TEXT`: speak into a room as a human (works on closed rooms too). */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('post')
    .description('Post into a room as the operator (or another human name).')
    .argument('<room>', 'the room')
    .argument('<text>', 'what to say')
    .option('--as <name>', 'sender name', 'operator')
    .option('--to <peer>', "recipient ('all' by default)")
    .option('--expects <who>', 'who should reply: none, anyone or a name')
    .option('--reply-to <seq>', 'the seq of the message this one replies to (answers it when it is a question for you)')
    .option(
      '--claim-lease <seconds>',
      "for a question: how long a claim on it holds (0: until answered; default: the bridge's)",
    )
    .option('--url <url>', 'a remote bridge (admin token from ARGYBARGY_ADMIN_TOKEN)')
    .option('--json', 'print the stored message as JSON, with the warnings in a warnings field')
    .addHelpText('after', '\nExample:\n  argybargy post build "Ship it once CI is green." --to alice --expects alice\n')
    .action(async (room: string, text: string, flags: PostFlags) => {
      const target = await adminTarget(io, configFrom(io.env), flags.url);
      const res = await adminCall(target, 'POST', '/admin/say', PostAnswer, {
        room,
        text,
        sender: flags.as,
        to: flags.to,
        expects_reply: flags.expects,
        reply_to: replyToOption(flags.replyTo),
        claim_lease: claimLeaseOption(flags.claimLease),
      });
      printWarnings(io, res.warnings);
      if (flags.json) {
        printPostedJson(io, res);
        return;
      }
      const m = res.message;
      io.stdout(
        `Posted #${m.seq} to ${m.to} in ${room}${replyNote(m.reply_to)} (expects_reply: ${m.expects_reply}).\n`,
      );
    });
}
