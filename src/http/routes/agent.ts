import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteDeps } from '../app.js';
import { agentOf, requireAgent } from '../plugins/auth.js';
import { errorResponses, Message, Peer, RoomStatus } from '../schemas.js';

/** GET /whoami, /peers and /history. */
export function agentRoutes(deps: RouteDeps) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAgent(deps.bridge);
    const security = [{ agentCode: [] }];

    app.get(
      '/whoami',
      {
        onRequest,
        schema: {
          tags: ['agent'],
          security,
          summary: 'Your identity.',
          response: {
            200: Type.Object({ name: Type.String(), room: Type.String(), capabilities: Type.String() }),
            ...errorResponses(401),
          },
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
          response: { 200: Type.Object({ room: Type.String(), peers: Type.Array(Peer) }), ...errorResponses(401) },
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
          querystring: Type.Object({
            limit: Type.Integer({
              minimum: 1,
              maximum: Number.MAX_SAFE_INTEGER,
              default: 50,
              description: `1 or more; capped at ARGYBARGY_MAX_HISTORY (${deps.ctx.config.maxHistory}).`,
            }),
          }),
          response: {
            200: Type.Object({ room: Type.String(), messages: Type.Array(Message), room_status: RoomStatus }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (req) => deps.bridge.history(agentOf(req), req.query.limit),
    );
  };
}
