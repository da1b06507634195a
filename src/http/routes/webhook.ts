import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteDeps } from '../app.js';
import { agentOf, requireAgent } from '../plugins/auth.js';
import { errorResponses } from '../schemas.js';

/** POST /webhook and DELETE /webhook: push-to-wake registration for the calling agent. */
export function webhookRoutes(deps: RouteDeps) {
  const { bridge } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAgent(bridge);
    const security = [{ agentCode: [] }];

    app.post(
      '/webhook',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Be woken by an HTTP POST when a message for you arrives.',
          description:
            'The bridge POSTs a small signed JSON notice {event, room, seq, from, to, expects_reply, ts} (plus text with include_text) to url, retrying with backoff. Read the messages with GET /messages. The secret for checking X-Argybargy-Signature is shown only in this answer.',
          body: Type.Object({
            url: Type.String({ minLength: 1, maxLength: 2000, description: 'An http:// or https:// URL.' }),
            include_text: Type.Optional(
              Type.Boolean({ description: 'Put the message text in the notice (default false).' }),
            ),
          }),
          response: {
            200: Type.Object({
              ok: Type.Literal(true),
              url: Type.String(),
              include_text: Type.Boolean(),
              secret: Type.String(),
              signature: Type.String(),
            }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (req) => bridge.webhooks.register(agentOf(req), req.body.url, req.body.include_text ?? false),
    );

    app.delete(
      '/webhook',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Stop webhook notices.',
          response: { 200: Type.Object({ ok: Type.Literal(true), removed: Type.Boolean() }), ...errorResponses(401) },
        },
      },
      async (req) => bridge.webhooks.unregister(agentOf(req)),
    );
  };
}
