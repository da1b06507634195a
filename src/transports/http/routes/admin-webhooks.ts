import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Name } from '../../../wire/common.js';
import { AdminWebhookRemoved, WebhooksAnswer } from '../../../wire/operator.js';
import type { RouteDeps } from '../deps.js';
import { requireAdmin } from '../plugins/auth.js';
import { errorResponses } from '../schemas.js';

/** GET /admin/webhooks and DELETE /admin/webhooks: the operator's view of agents' webhooks. */
export function adminWebhookRoutes(deps: RouteDeps) {
  const { operator } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAdmin(operator);
    const security = [{ adminToken: [] }];
    const tags = ['operator'];

    app.get(
      '/admin/webhooks',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: "Every agent's webhook, and how its deliveries fare on this node.",
          response: { 200: WebhooksAnswer, ...errorResponses(401) },
        },
      },
      async () => operator.webhookList(),
    );

    app.delete(
      '/admin/webhooks',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: "Remove an agent's webhook.",
          querystring: Type.Object({ room: Name, name: Name }),
          response: { 200: AdminWebhookRemoved, ...errorResponses(400, 401) },
        },
      },
      async (req) => operator.removeWebhook(req.query.room, req.query.name),
    );
  };
}
