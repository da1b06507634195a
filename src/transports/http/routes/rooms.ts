import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { Name, Nullable } from '../../../wire/common.js';
import { RoomChanged, RoomCreated } from '../../../wire/operator.js';
import type { RouteDeps } from '../deps.js';
import { requireAdmin } from '../plugins/auth.js';
import { errorResponses } from '../schemas.js';

const ByBody = Type.Object({
  by: Type.Optional(
    Nullable(Type.String({ maxLength: 64, description: "Who acts, for the audit log (default 'operator')." })),
  ),
});

/** Room lifecycle for the operator: create, close, reopen. */
export function roomRoutes(deps: RouteDeps) {
  const { operator } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAdmin(operator);
    const security = [{ adminToken: [] }];
    const tags = ['operator'];
    const answer = { 200: RoomChanged, ...errorResponses(400, 401) };

    app.post(
      '/admin/rooms',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Create an empty, open room.',
          body: Type.Object({ room: Name }),
          response: { 200: RoomCreated, ...errorResponses(400, 401) },
        },
      },
      async (req) => ({ ok: true as const, ...(await operator.createRoom(req.body.room)) }),
    );

    for (const action of ['close', 'reopen'] as const) {
      app.post(
        `/admin/rooms/:room/${action}`,
        {
          onRequest,
          schema: {
            tags,
            security,
            summary:
              action === 'close'
                ? 'Close a room: every parked poll wakes with should_exit; agent posts get 409.'
                : 'Reopen a closed room.',
            params: Type.Object({ room: Name }),
            body: Type.Optional(ByBody),
            response: answer,
          },
        },
        async (req) => ({
          ok: true as const,
          room: await operator.setRoomStatus(req.params.room, action === 'close', req.body?.by),
        }),
      );
    }
  };
}
