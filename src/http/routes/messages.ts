import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../errors.js';
import { streamMessages } from '../../stream.js';
import type { RouteDeps } from '../app.js';
import { agentOf, requireAgent } from '../plugins/auth.js';
import { untilHangUp } from '../plugins/hangup.js';
import { ErrorBody, errorResponses, MAX_SAFE, Message, Nullable, PollAnswer } from '../schemas.js';

const ClaimBody = Type.Object({
  won: Type.Boolean(),
  claimed_by: Type.String(),
  seq: Type.Integer(),
  error: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});

/** POST /messages, the long-poll GET /messages, and POST /messages/{seq}/claim. */
export function messageRoutes(deps: RouteDeps) {
  const { bridge, ctx } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAgent(bridge);
    const security = [{ agentCode: [] }];

    app.post(
      '/messages',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Send a message to your room or to one peer.',
          body: Type.Object({
            to: Type.Optional(Nullable(Type.String({ maxLength: 64, description: "'all' (default) or a peer name." }))),
            text: Type.String({ minLength: 1, maxLength: ctx.config.maxText }),
            expects_reply: Type.Optional(
              Nullable(Type.String({ maxLength: 64, description: "'none', 'anyone' or a peer name." })),
            ),
          }),
          response: {
            200: Type.Object({ ok: Type.Literal(true), message: Message }),
            ...errorResponses(400, 401, 403, 409, 413, 429),
          },
        },
      },
      async (req) => ({ ok: true as const, message: await bridge.post(agentOf(req), req.body) }),
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
            'Answers at once when a message you may see has seq > since, or the room is closed; otherwise waits up to wait seconds (capped at ARGYBARGY_MAX_WAIT) and answers the moment one arrives.',
          querystring: Type.Object({
            since: Type.Integer({
              minimum: 0,
              maximum: MAX_SAFE,
              default: 0,
              description: 'The cursor of your last answer.',
            }),
            wait: Type.Integer({
              minimum: 0,
              maximum: MAX_SAFE,
              default: 0,
              description: 'Seconds to wait for a message.',
            }),
          }),
          response: { 200: PollAnswer, ...errorResponses(400, 401) },
        },
      },
      async (req, reply) => {
        return untilHangUp(reply, (signal) => bridge.poll(agentOf(req), req.query.since, req.query.wait, signal));
      },
    );

    app.get(
      '/messages/stream',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Server-Sent Events: every message you may see, live.',
          description:
            'Each message is an event "message" whose id is its seq. Reconnect with Last-Event-ID (or ?since=) to get exactly what you missed, then live ones. A comment every 15 s keeps proxies from closing it; when the room closes (or goes idle) a final event "exit" carries should_exit and exit_reason, and the stream ends.',
          querystring: Type.Object({
            since: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: MAX_SAFE,
                description: 'Start after this seq (Last-Event-ID wins).',
              }),
            ),
          }),
          response: { ...errorResponses(400, 401) },
        },
      },
      async (req, reply) => {
        const header = req.headers['last-event-id'];
        let since = req.query.since ?? 0;
        if (typeof header === 'string' && header.trim() !== '') {
          const n = Number(header.trim());
          if (!/^\d+$/.test(header.trim()) || !Number.isSafeInteger(n)) {
            throw errors.badRequest('Last-Event-ID must be the seq of the last event you received.');
          }
          since = n;
        }
        const agent = agentOf(req);
        const res = reply.raw;
        reply.hijack();
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write('retry: 2000\n\n');
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        await streamMessages(ctx, bridge, agent, since, {
          signal: gone.signal,
          write: (chunk) =>
            new Promise<void>((resolve) => {
              if (gone.signal.aborted || res.write(chunk)) return resolve();
              const done = () => {
                res.off('drain', done);
                gone.signal.removeEventListener('abort', done);
                resolve();
              };
              res.once('drain', done);
              gone.signal.addEventListener('abort', done, { once: true });
            }),
          end: () => {
            if (!res.writableEnded) res.end();
          },
        });
      },
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
            'First caller wins with 200; later callers get 409 naming the winner; a seq you cannot see is 404.',
          params: Type.Object({ seq: Type.Integer({ minimum: 1, maximum: MAX_SAFE }) }),
          response: { 200: ClaimBody, 409: ClaimBody, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
        },
      },
      async (req, reply) => {
        const res = await bridge.claim(agentOf(req), req.params.seq);
        if (res.won) return res;
        return reply.code(409).send({
          ...res,
          error: 'already_claimed',
          detail: `Message ${res.seq} was already claimed by ${res.claimed_by}. Let them answer; stay quiet on this one.`,
        });
      },
    );
  };
}
