import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../../errors.js';
import { THREAD_LIMIT } from '../../../services/bridge.js';
import { ClaimLeaseField, ErrorBody, MAX_SAFE, Nullable } from '../../../wire/common.js';
import { ClaimAnswer, PollAnswer, PostAnswer, ReleaseAnswer, ThreadAnswer } from '../../../wire/messages.js';
import type { RouteDeps } from '../deps.js';
import { agentOf, requireAgent } from '../plugins/auth.js';
import { untilHangUp } from '../plugins/hangup.js';
import { errorResponses } from '../schemas.js';

/** POST /messages, the long-poll GET /messages, POST and DELETE /messages/{seq}/claim and GET /messages/{seq}/thread. */
export function messageRoutes(deps: RouteDeps) {
  const { bridge, delivery, config } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAgent(deps);
    const security = [{ agentCode: [] }];

    app.post(
      '/messages',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Send a message to your room or to one peer.',
          description:
            "Send a message to your room ('all') or to one peer. Answers {ok, message, warnings}: warnings is empty, or names a to or expects_reply nobody answers to: not a member of your room (not_a_member; the message waits until an agent of that name joins) or a reserved word (reserved_name: expects_reply 'all', to 'anyone' or 'none'). The message is stored anyway. With reply_to: <seq> it replies to that message; a reply to a question addressed to you (or that you claimed, or an unclaimed 'anyone') answers it.",
          body: Type.Object({
            to: Type.Optional(Nullable(Type.String({ maxLength: 64, description: "'all' (default) or a peer name" }))),
            text: Type.String({
              minLength: 1,
              maxLength: config.maxText,
              description: `the message, 1 to ${config.maxText} characters`,
            }),
            expects_reply: Type.Optional(
              Nullable(
                Type.String({
                  maxLength: 64,
                  description:
                    "optional: 'none', 'anyone' or a peer name (default: 'none' for 'all', the recipient for a DM)",
                }),
              ),
            ),
            reply_to: Type.Optional(
              Nullable(
                Type.Integer({
                  minimum: 1,
                  maximum: MAX_SAFE,
                  description: 'optional: the seq of a message of your room you can see, that this one replies to',
                }),
              ),
            ),
            claim_lease: ClaimLeaseField,
          }),
          response: { 200: PostAnswer, ...errorResponses(400, 401, 403, 409, 413, 429) },
        },
      },
      async (req) => bridge.post(agentOf(req), req.body),
    );

    app.get(
      '/messages',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Long-poll for new messages.',
          description:
            'Long-poll for messages addressed to you or to everyone, newer than since. Answers at once if there are any (or the room is closed), else waits up to wait seconds (capped at ARGYBARGY_MAX_WAIT) and answers the moment one arrives. Returns {messages, cursor, room, room_closed, should_exit, exit_reason, poll_budget}; pass cursor back as since.',
          querystring: Type.Object({
            since: Type.Integer({
              minimum: 0,
              maximum: MAX_SAFE,
              default: 0,
              examples: [0],
              description: 'The cursor of your last answer.',
            }),
            wait: Type.Integer({
              minimum: 0,
              maximum: MAX_SAFE,
              default: 0,
              examples: [25],
              description: 'Seconds to wait for a message.',
            }),
          }),
          response: { 200: PollAnswer, ...errorResponses(400, 401) },
        },
      },
      async (req, reply) =>
        // HEAD asks for the headers only: it never parks.
        untilHangUp(reply, (signal) =>
          delivery.poll(agentOf(req), req.method === 'HEAD' ? 0 : req.query.wait, { since: req.query.since, signal }),
        ),
    );

    app.post(
      '/messages/:seq/claim',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Claim an open question so only you answer it.',
          description:
            'Claim an open question before answering it. 200 {won: true, lease_expires_at}: you answer; the claim is a lease that lapses at lease_expires_at (null: never) unless you claim again (renews: 409 as before, claimed_by you, renewed: true, the new lease_expires_at) or answer; a lapsed claim reopens the question and the room gets a claim_reopened notice. 409 {won: false, claimed_by, answered_by, lease_expires_at}: someone else has it, or it was already answered (answered_by); stay quiet. A seq you cannot see is 404.',
          params: Type.Object({ seq: Type.Integer({ minimum: 1, maximum: MAX_SAFE }) }),
          response: { 200: ClaimAnswer, 409: ClaimAnswer, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (req) => {
        const res = await bridge.claim(agentOf(req), req.params.seq);
        if (!res.won) {
          throw errors.alreadyClaimed(
            res.seq,
            res.claimed_by,
            res.answered_by ?? null,
            res.lease_expires_at,
            res.renewed === true,
          );
        }
        return res;
      },
    );

    app.delete(
      '/messages/:seq/claim',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Release your claim: the question opens again.',
          description:
            "Let go of a question you claimed but will not answer. 200 {released: true, seq, notice_seq}: it is open again, and the room gets a claim_reopened notice (reason 'released', reply_to the question). 403 not_claim_holder: someone else holds it. 409 not_claimed: nobody does (never claimed, released, reopened, or answered). A seq you cannot see is 404.",
          params: Type.Object({ seq: Type.Integer({ minimum: 1, maximum: MAX_SAFE }) }),
          response: { 200: ReleaseAnswer, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req) => bridge.release(agentOf(req), req.params.seq),
    );

    app.get(
      '/messages/:seq/thread',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Read a question and every reply to it.',
          description: `The thread of a message: its root (reply_to walked up; the message itself when it replies to nothing) and every reply to it, replies to replies too, that you may see, oldest first: {room, root, messages, truncated}. Any seq of the thread gives the same thread. At most ${THREAD_LIMIT} messages (truncated says when there are more). A seq you cannot see is 404.`,
          params: Type.Object({ seq: Type.Integer({ minimum: 1, maximum: MAX_SAFE }) }),
          response: { 200: ThreadAnswer, ...errorResponses(400, 401, 404) },
        },
      },
      async (req) => bridge.thread(agentOf(req), req.params.seq),
    );
  };
}
