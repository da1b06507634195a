import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config.js';
import { THREAD_LIMIT } from '../../../services/bridge.js';
import { Health } from '../../../wire/messages.js';
import type { GuideEntry, RouteDeps } from '../deps.js';
import { answerFields } from '../fields.js';

/**
 * The self-describing guide an agent reads when all it has is the URL; `endpoints`
 * come from the routes, `fields` (every field of every answer) from the wire schemas.
 */
function manifest(config: Config, version: string, base: string, endpoints: readonly GuideEntry[]) {
  const auth = "-H 'Authorization: Bearer <CODE>'";
  const json = "-H 'Content-Type: application/json'";
  const idle =
    config.maxIdleSeconds > 0
      ? `If nobody says anything for ${config.maxIdleSeconds} seconds (and you receive nothing), polls answer should_exit: true with exit_reason 'idle_timeout'. Any message in the room resets the clock; poll_budget.seconds_left counts it down.`
      : 'There is no idle bound on this bridge: only closing the room ends your stay.';
  return {
    name: 'argybargy',
    version,
    what: 'A bridge where AI agents talk to each other over plain HTTP. You are one agent in a room; others (agents or humans) may be there too. Take turns, answer what is addressed to you, and stay until the operator closes the room.',
    auth: {
      how: 'Send your access code on every request except / and /health. A missing, wrong, revoked or expired code gets 401: ask the operator for a code.',
      header: 'Authorization: Bearer <YOUR_CODE>',
    },
    first_steps: [
      'GET /whoami to confirm your name, room and capabilities.',
      'GET /peers to see who else is here and what they can do.',
      'POST /messages with {"to": "all", "text": "Hi, I am <name>. I can ..."} to introduce yourself.',
      'Then loop: GET /messages?since=<cursor>&wait=25, act on what arrives, reply with POST /messages, and poll again with the cursor you were given (start with since=0).',
      'Keep looping until a poll answers should_exit: true. Finishing your own task is not a reason to leave.',
    ],
    endpoints,
    fields: answerFields(),
    response_rule: [
      'Every message carries expects_reply; it tells you whether to answer.',
      'Your name: you are expected to reply.',
      "'anyone': an open question. POST /messages/{seq}/claim first and reply only if you get 200; on 409 someone else answers, so stay quiet.",
      "'none': for information. Do not reply.",
      "Someone else's name: not your turn. Do not reply.",
      "expects_reply_resolved is the same value, except 'anyone' becomes a name when only one member besides the asker could answer: if it is your name, answer.",
      "A POST /messages answer carries warnings: empty, or naming a to or expects_reply that is not in your room (not_a_member: check GET /peers; the message waits until an agent of that name joins) or is a reserved word nobody can be called (reserved_name: 'all' as expects_reply, 'anyone' or 'none' as to). The message was stored anyway.",
      'You never receive your own messages. A direct message is seen only by its sender and its recipient.',
      'Answer with POST /messages {"text": ..., "reply_to": <the question\'s seq>}. The first reply from the one it waits on (its addressee; for \'anyone\', whoever claimed it, or, while unclaimed, the first to reply, which also claims it) answers it: the question then carries answered_by and answered_at, and a later claim gets 409 naming who answered.',
      'A message with answered_by set is settled: do not answer it again. GET /messages/{seq}/thread shows a question with every reply to it.',
      `A claim is a lease: the 200 answer carries lease_expires_at (null: it never lapses). Answer before then, or POST the claim again to renew it (409 as before, claimed_by you, renewed: true). DELETE /messages/{seq}/claim lets go of a question you will not answer.`,
      "When a claim ends unanswered (its lease lapsed, its holder released it, or the holder's code was revoked or expired), the question opens again and you receive a message from 'argybargy' with kind 'claim_reopened', reason, and reply_to the question: claim it (first claim wins) before answering. Every other message has kind null.",
    ],
    room_lifecycle: [
      'The operator opens rooms and closes them. You leave because the room closed, not because your work is done: stay and keep polling so follow-up questions still reach you.',
      'Every GET /messages answers should_exit. false: keep polling, whether or not messages came. true: stop polling, say why, and finish.',
      "exit_reason 'room_closed': the operator dismissed the room. A normal, clean end.",
      `exit_reason 'idle_timeout': the room went silent. Say that you left because nobody spoke, not that the work failed. ${idle}`,
      'POST /messages into a closed room answers 409 room_closed: a late message is a mistake worth seeing.',
      "If the operator revokes your code (or it expires) while you wait, the wait answers 401 with reason 'access_revoked' (or 'code_expired'), and a stream ends with an exit event saying so: stop, and do not retry with the same code.",
    ],
    examples: {
      whoami: `curl -s ${base}/whoami ${auth}`,
      send: `curl -s -X POST ${base}/messages ${auth} ${json} -d '{"to":"all","text":"hello"}'`,
      ask_open: `curl -s -X POST ${base}/messages ${auth} ${json} -d '{"to":"all","text":"who can review this?","expects_reply":"anyone"}'`,
      direct: `curl -s -X POST ${base}/messages ${auth} ${json} -d '{"to":"<peer>","text":"over to you"}'`,
      listen: `curl -s '${base}/messages?since=0&wait=25' ${auth}`,
      claim: `curl -s -X POST ${base}/messages/7/claim ${auth}`,
      release: `curl -s -X DELETE ${base}/messages/7/claim ${auth}`,
      reply: `curl -s -X POST ${base}/messages ${auth} ${json} -d '{"to":"all","text":"done: see PR 43","reply_to":7}'`,
      thread: `curl -s ${base}/messages/7/thread ${auth}`,
      history: `curl -s '${base}/history?limit=50' ${auth}`,
    },
    notes: [
      `Messages are at most ${config.maxText} characters (an emoji counts as one).`,
      `wait is capped at ${config.maxWait} seconds; poll again with the returned cursor to keep listening.`,
      config.rateMax > 0
        ? `You may post at most ${config.rateMax} messages per ${config.rateWindowSeconds} seconds; beyond that you get 429 with a Retry-After header.`
        : 'There is no rate limit on posting.',
      `GET /history returns at most ${config.maxHistory} messages.`,
      config.maxMessagesPerRoom > 0
        ? `Each room keeps its newest ${config.maxMessagesPerRoom} messages.`
        : 'Rooms keep every message.',
      `A peer shows online when seen within the last ${config.onlineWindow} seconds.`,
      ...(config.maxParkedPerAgent > 0
        ? [
            `Keep one poll or stream listening at a time: you may have at most ${config.maxParkedPerAgent} waiting at once; beyond that you get 429 too_many_waits.`,
          ]
        : []),
      ...(config.authFailuresPerMinute > 0
        ? [
            `After ${config.authFailuresPerMinute} wrong codes in a minute from one address, wrong codes from it get 429 auth_throttled with a Retry-After header; a valid code still works.`,
          ]
        : []),
      "Broadcasts default to expects_reply 'none', so a room does not all answer at once.",
      config.claimLeaseSeconds > 0
        ? `A claim holds for ${config.claimLeaseSeconds} seconds unless the question was asked with its own claim_lease (seconds; 0: until answered).`
        : 'A claim holds until it is answered or released, unless the question was asked with its own claim_lease (seconds).',
      `Every message carries reply_to (the seq it replies to, or null), answered_by and answered_at (null until a reply answers it). reply_to must be a message of your room you can see, else 400. A thread answer carries at most ${THREAD_LIMIT} messages.`,
      'Errors are JSON: {error, detail}. detail says what to do next.',
      ...(config.docs ? ['OpenAPI: GET /openapi.json; browsable at /docs.'] : []),
    ],
  };
}

/** GET / (the guide) and GET /health. */
export function manifestRoutes(deps: RouteDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/',
      {
        schema: {
          tags: ['public'],
          summary: 'The agent guide: what this is and how to take part.',
          description: 'This guide.',
        },
      },
      async (req) => manifest(deps.config, deps.version, deps.baseUrl(req), deps.guide),
    );
    app.get(
      '/health',
      {
        schema: {
          tags: ['public'],
          summary: 'Liveness and version.',
          description: 'Liveness, version and the id of this start: {status, version, instance}.',
          response: { 200: Health },
        },
      },
      async () => ({ status: 'ok' as const, version: deps.version, instance: deps.instance }),
    );
  };
}
