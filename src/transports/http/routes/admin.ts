import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ClaimLeaseField, MAX_SAFE, Nullable } from '../../../wire/common.js';
import { PostAnswer } from '../../../wire/messages.js';
import {
  AdminToken,
  AuditAnswer,
  ChangesAnswer,
  CodesAnswer,
  InviteAnswer,
  RevokeAnswer,
  StateAnswer,
  StatsAnswer,
} from '../../../wire/operator.js';
import type { RouteDeps } from '../deps.js';
import { requireAdmin } from '../plugins/auth.js';
import { untilHangUp } from '../plugins/hangup.js';
import { errorResponses } from '../schemas.js';

/** The operator's endpoints under /admin (X-Admin-Token). */
export function adminRoutes(deps: RouteDeps) {
  const { operator, config } = deps;
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
          response: { 200: ChangesAnswer, ...errorResponses(400, 401) },
        },
      },
      async (req, reply) => {
        const wait = req.method === 'HEAD' ? 0 : req.query.wait;
        return untilHangUp(reply, (signal) => operator.changes(req.query.since, wait, signal));
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
          response: { 200: StatsAnswer, ...errorResponses(401) },
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
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            class: Type.Optional(
              Type.Union([Type.Literal('operator'), Type.Literal('agent'), Type.Literal('auth')], {
                description: 'Only events of one class: what the operator did, what agents did, failed sign-ins.',
              }),
            ),
          }),
          response: { 200: AuditAnswer, ...errorResponses(400, 401) },
        },
      },
      async (req) => operator.auditLog(req.query.limit, req.query.class),
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
          response: { 200: InviteAnswer, ...errorResponses(400, 401, 403) },
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
          response: { 200: CodesAnswer, ...errorResponses(401) },
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
          body: Type.Object({
            target: Type.String({ minLength: 1, maxLength: 512 }),
            room: Type.Optional(
              Nullable(Type.String({ maxLength: 64, description: 'Only codes of this room (with a name).' })),
            ),
          }),
          response: { 200: RevokeAnswer, ...errorResponses(400, 401) },
        },
      },
      async (req) => operator.revoke(req.body.target, req.body.room),
    );

    app.post(
      '/admin/say',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Post into a room as a human. Works on closed rooms; not rate-limited.',
          description:
            'Post into a room as a human (sender, default operator, becomes an operator name of the room). Answers {ok, message, warnings}: warnings names a to or expects_reply that is no member of the room (the message is stored anyway).',
          body: Type.Object({
            text: Type.String({ minLength: 1, maxLength: config.maxText }),
            to: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            room: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            sender: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            expects_reply: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
            reply_to: Type.Optional(
              Nullable(
                Type.Integer({
                  minimum: 1,
                  maximum: MAX_SAFE,
                  description: 'optional: the seq of any message of the room this one replies to',
                }),
              ),
            ),
            claim_lease: ClaimLeaseField,
          }),
          response: { 200: PostAnswer, ...errorResponses(400, 401, 413) },
        },
      },
      async (req) => operator.say(req.body),
    );

    app.post(
      '/admin/regenerate-token',
      {
        onRequest,
        schema: {
          tags,
          security,
          summary: 'Replace the admin token; the old one stops working at once.',
          response: { 200: AdminToken, ...errorResponses(401) },
        },
      },
      async () => operator.regenerateToken(),
    );
  };
}
