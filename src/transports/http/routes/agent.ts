import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { HistoryAnswer, PeersAnswer, Whoami } from '../../../wire/messages.js';
import type { RouteDeps } from '../deps.js';
import { agentOf, requireAgent } from '../plugins/auth.js';
import { errorResponses } from '../schemas.js';

/** GET /whoami, /peers and /history. */
export function agentRoutes(deps: RouteDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAgent(deps);
    const security = [{ agentCode: [] }];

    app.get(
      '/whoami',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Your identity.',
          description: 'Your identity: {name, room, capabilities}.',
          response: { 200: Whoami, ...errorResponses(401) },
        },
      },
      async (req) => deps.bridge.whoami(agentOf(req)),
    );

    app.get(
      '/peers',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Who is present in your room, with capabilities.',
          description:
            'Who is in your room right now: {room, peers: [{name, online, seconds_since_seen, capabilities}]}.',
          response: { 200: PeersAnswer, ...errorResponses(401) },
        },
      },
      async (req) => deps.bridge.peers(agentOf(req)),
    );

    app.get(
      '/history',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'The newest messages you may see in your room, oldest first.',
          description:
            'The newest messages of your room that you may see, oldest first: {room, messages, room_status}.',
          querystring: Type.Object({
            limit: Type.Integer({
              minimum: 1,
              maximum: Number.MAX_SAFE_INTEGER,
              default: 50,
              examples: [50],
              description: `1 or more; capped at ARGYBARGY_MAX_HISTORY (${deps.config.maxHistory}).`,
            }),
          }),
          response: { 200: HistoryAnswer, ...errorResponses(400, 401) },
        },
      },
      async (req) => deps.bridge.history(agentOf(req), req.query.limit),
    );
  };
}
