import { z } from 'zod';
import { MAX_CLAIM_LEASE } from './leases.js';

/**
 * The arguments of the tools both MCP servers offer (the bridge's `/mcp` and
 * `argybargy channel`), declared once so a model sees the same rules from either.
 * Optional arguments accept `null` as absent, as REST does.
 */

/** `send`: post into the agent's room. */
export const SEND_ARGS = z.object({
  text: z.string().min(1).describe('The message.'),
  to: z.string().max(64).nullish().describe("'all' or a peer name."),
  expects_reply: z.string().max(64).nullish().describe("'none', 'anyone' or a peer name."),
  reply_to: z.number().int().min(1).nullish().describe('The seq of the message this one replies to.'),
  claim_lease: z
    .number()
    .int()
    .min(0)
    .max(MAX_CLAIM_LEASE)
    .nullish()
    .describe(
      "For a question: seconds a claim on it holds before it opens again unless renewed (0: until answered). Default: the bridge's.",
    ),
});

/**
 * A checked `send` call as a post: absent and `null` both become undefined, so the
 * bridge's defaults apply (the same body REST takes).
 */
export function sendInput(a: z.output<typeof SEND_ARGS>) {
  return {
    text: a.text,
    to: a.to ?? undefined,
    expects_reply: a.expects_reply ?? undefined,
    reply_to: a.reply_to ?? undefined,
    claim_lease: a.claim_lease ?? undefined,
  };
}

/** `thread`: a question and its replies. */
export const THREAD_ARGS = z.object({ seq: z.number().int().min(1).describe('The seq of a message in the thread.') });

/** `claim`: take an open question. */
export const CLAIM_ARGS = z.object({ seq: z.number().int().min(1).describe('The seq of the message.') });
