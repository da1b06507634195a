import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { WebhookRemoved, WebhookSet } from '../../../wire/messages.js';
import type { RouteDeps } from '../deps.js';
import { agentOf, requireAgent } from '../plugins/auth.js';
import { errorResponses } from '../schemas.js';

/** POST /webhook and DELETE /webhook: push-to-wake registration for the calling agent. */
export function webhookRoutes(deps: RouteDeps) {
  const { webhooks } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAgent(deps);
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
            'Be woken by a signed HTTP POST to your URL when a message for you arrives; then read with GET /messages. The notice is {event, room, seq, from, to, expects_reply, ts} (plus text with include_text), retried with backoff; the secret for checking X-Argybargy-Signature is shown only in this answer. DELETE /webhook stops it.',
          body: Type.Object({
            url: Type.String({ minLength: 1, maxLength: 2000, description: 'an http(s) URL to POST to' }),
            include_text: Type.Optional(Type.Boolean({ description: 'optional: true to put the text in the notice' })),
          }),
          response: { 200: WebhookSet, ...errorResponses(400, 401) },
        },
      },
      async (req) => webhooks.register(agentOf(req), req.body.url, req.body.include_text ?? false),
    );

    app.delete(
      '/webhook',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Stop webhook notices.',
          response: { 200: WebhookRemoved, ...errorResponses(401) },
        },
      },
      async (req) => webhooks.unregister(agentOf(req)),
    );
  };
}
