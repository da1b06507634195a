import type { Command } from 'commander';
import { PostAnswer } from '../../wire/messages.js';
import { claimLeaseOption, printPostedJson, printWarnings, replyNote, replyToOption } from '../format.js';
import { agentCall, agentTarget } from '../http.js';
import type { CommandHost } from '../io.js';

/** `argybargy send TEXT`: post as the agent in ARGYBARGY_CODE. */
export function register(program: Command, { io }: CommandHost): void {
  program
    .command('send')
    .description('Send a message as the agent whose code is in ARGYBARGY_CODE (bridge in ARGYBARGY_URL).')
    .argument('<text>', 'the message')
    .option('--to <peer>', "recipient ('all' by default)")
    .option('--expects <who>', 'who should reply: none, anyone or a name')
    .option('--reply-to <seq>', 'the seq of the message this one replies to (answers it when it is a question for you)')
    .option(
      '--claim-lease <seconds>',
      "for a question: how long a claim on it holds (0: until answered; default: the bridge's)",
    )
    .option('--json', 'print the stored message as JSON, with the warnings in a warnings field')
    .addHelpText(
      'after',
      '\nExample:\n  ARGYBARGY_CODE=... argybargy send "Who can review #42?" --expects anyone\n  ARGYBARGY_CODE=... argybargy send "Reviewed, LGTM." --reply-to 7\n',
    )
    .action(
      async (
        text: string,
        flags: { to?: string; expects?: string; replyTo?: string; claimLease?: string; json?: boolean },
      ) => {
        const res = await agentCall(await agentTarget(io), 'POST', '/messages', PostAnswer, {
          text,
          to: flags.to,
          expects_reply: flags.expects,
          reply_to: replyToOption(flags.replyTo),
          claim_lease: claimLeaseOption(flags.claimLease),
        });
        printWarnings(io, res.warnings);
        if (flags.json) printPostedJson(io, res);
        else
          io.stdout(
            `Sent #${res.message.seq} to ${res.message.to}${replyNote(res.message.reply_to)} (expects_reply: ${res.message.expects_reply}).
`,
          );
      },
    );
}
