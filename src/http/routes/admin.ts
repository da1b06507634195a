import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteDeps } from '../app.js';
import { requireAdmin } from '../plugins/auth.js';
import { untilHangUp } from '../plugins/hangup.js';
import {
  CodeListing,
  errorResponses,
  MAX_SAFE,
  Message,
  Nullable,
  Peer,
  RoomMessage,
  RoomStatus,
  RoomSummary,
  RosterRow,
  WaitingRow,
} from '../schemas.js';

const StateAnswer = Type.Object({
  version: Type.String(),
  change_version: Type.Integer({ description: 'Pass to GET /admin/changes to wait for the next change.' }),
  public_url: Type.String(),
  hash_codes: Type.Boolean(),
  peers: Type.Record(Type.String(), Type.Array(Peer)),
  roster: Type.Record(Type.String(), Type.Array(RosterRow)),
  codes: Type.Array(CodeListing),
  room: Nullable(Type.String()),
  rooms: Type.Array(RoomSummary),
  room_status: Type.Record(Type.String(), RoomStatus),
  waiting: Type.Array(WaitingRow),
  max_idle_seconds: Type.Integer(),
  messages: Type.Array(RoomMessage),
});

/** The operator's endpoints under /admin (X-Admin-Token). */
export function adminRoutes(deps: RouteDeps) {
  const { operator, ctx } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const onRequest = requireAdmin(operator);
    const security = [{ adminToken: [] }];
    const tags = ['operator'];

    app.get(
      '/admin/state',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Everything the dashboard shows: presence, roster, codes, rooms, the inbox, recent messages.',
          querystring: Type.Object({
            room: Type.Optional(
              Type.String({ minLength: 1, maxLength: 64, description: 'Scope messages to one room.' }),
            ),
          }),
          response: { 200: StateAnswer, ...errorResponses(400, 401) },
        },
      },
      async (req) => operator.state(req.query.room ?? null, deps.baseUrl(req)),
    );

    app.get(
      '/admin/changes',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Long-poll for any change (messages, rooms, codes, claims, connections) anywhere.',
          description:
            'Answers at once when the change version differs from since, else when the next change happens or after wait seconds. Then fetch /admin/state again.',
          querystring: Type.Object({
            since: Type.Integer({ minimum: 0, maximum: MAX_SAFE, default: 0 }),
            wait: Type.Integer({ minimum: 0, maximum: MAX_SAFE, default: 0 }),
          }),
          response: { 200: Type.Object({ version: Type.Integer() }), ...errorResponses(400, 401) },
        },
      },
      async (req, reply) => {
        return untilHangUp(reply, (signal) => operator.changes(req.query.since, req.query.wait, signal));
      },
    );

    app.get(
      '/admin/stats',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Counts.',
          response: {
            200: Type.Object({
              version: Type.String(),
              uptime_seconds: Type.Integer(),
              online_peers: Type.Integer(),
              codes: Type.Integer(),
              messages: Type.Integer(),
              rooms: Type.Integer(),
              parked_polls: Type.Integer({ description: 'Long-polls waiting on this node right now.' }),
            }),
            ...errorResponses(401),
          },
        },
      },
      async () => operator.stats(),
    );

    app.get(
      '/admin/audit',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'The newest audit events, oldest first.',
          querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
          response: {
            200: Type.Object({
              events: Type.Array(
                Type.Object({
                  ts: Type.String(),
                  action: Type.String(),
                  actor: Type.String(),
                  room: Type.String(),
                  detail: Type.String(),
                }),
              ),
            }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (req) => operator.auditLog(req.query.limit),
    );

    app.post(
      '/admin/invite',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Mint an access code for an agent.',
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 64 }),
            room: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
            expires: Type.Optional(
              Type.Union([Type.String({ maxLength: 32 }), Type.Number(), Type.Null()], {
                description: "10m, 30m, 1h, 12h, 1d, 1w, 1mo, a number of hours, or 'never'.",
              }),
            ),
            capabilities: Type.Optional(Nullable(Type.String({ maxLength: 400 }))),
          }),
          response: {
            200: Type.Object({
              code: Type.String(),
              name: Type.String(),
              room: Type.String(),
              expires: Nullable(Type.String()),
              capabilities: Type.String(),
              url: Type.String(),
              instruction: Type.String(),
            }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (req) => operator.invite(req.body, deps.baseUrl(req)),
    );

    app.get(
      '/admin/codes',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Every access code (masked when codes are hashed at rest).',
          response: { 200: Type.Object({ codes: Type.Array(CodeListing) }), ...errorResponses(401) },
        },
      },
      async () => ({ codes: await operator.codes() }),
    );

    app.post(
      '/admin/revoke',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Revoke codes by agent name or by the code itself.',
          body: Type.Object({ target: Type.String({ minLength: 1, maxLength: 512 }) }),
          response: { 200: Type.Object({ revoked: Type.Integer() }), ...errorResponses(400, 401) },
        },
      },
      async (req) => operator.revoke(req.body.target),
    );

    app.post(
      '/admin/say',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Post into a room as a human. Works on closed rooms; not rate-limited.',
          body: Type.Object({
            text: Type.String({ minLength: 1, maxLength: ctx.config.maxText }),
            to: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            room: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            sender: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            expects_reply: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          }),
          response: {
            200: Type.Object({ ok: Type.Literal(true), message: Message }),
            ...errorResponses(400, 401, 413),
          },
        },
      },
      async (req) => ({ ok: true as const, message: await operator.say(req.body) }),
    );

    app.post(
      '/admin/regenerate-token',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Replace the admin token; the old one stops working at once.',
          response: { 200: Type.Object({ admin_token: Type.String() }), ...errorResponses(401) },
        },
      },
      async () => operator.regenerateToken(),
    );
  };
}
