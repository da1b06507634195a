import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../../errors.js';
import { codeFromAuthorization, safeEqual } from '../../../secrets.js';
import type { RouteDeps } from '../deps.js';
import { errorResponses } from '../schemas.js';

/** GET /ready (for load balancers and orchestrators) and GET /metrics (Prometheus). */
export function opsRoutes(deps: RouteDeps) {
  const { config, operator, metrics } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/ready',
      {
        schema: {
          tags: ['ops'],
          summary: 'Ready to serve: 200 only when the store (and, in cluster mode, Redis) answer.',
          response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses(503) },
        },
      },
      async () => {
        const { store, live } = await operator.ready();
        if (!store) throw errors.unavailable('The store does not answer.');
        if (!live) throw errors.unavailable('Live state (Redis) does not answer.');
        return { status: 'ready' as const };
      },
    );

    if (!metrics) return;
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['ops'],
          summary: 'Prometheus metrics.',
          description:
            'Send the admin token in X-Admin-Token, or ARGYBARGY_METRICS_TOKEN as Authorization: Bearer <token> (for a scraper that should not hold the admin token).',
          response: { 200: Type.String(), ...errorResponses(401) },
        },
      },
      async (req, reply) => {
        const bearer = codeFromAuthorization(req.headers.authorization);
        if (!(config.metricsToken && bearer && safeEqual(bearer, config.metricsToken))) {
          const h = req.headers['x-admin-token'];
          await operator.authenticate(Array.isArray(h) ? h[0] : h, { ip: req.ip, path: '/metrics' });
        }
        const { text, contentType } = await metrics.render();
        return reply.header('content-type', contentType).send(text);
      },
    );
  };
}
