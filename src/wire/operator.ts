/**
 * What the operator sees on the wire (/admin/*): the dashboard's state, codes,
 * rooms, the inbox, counts and audit events. One declaration per shape; the
 * dashboard (web/) and the CLI import the derived types.
 */
import { type Static, Type } from 'typebox';
import { Nullable } from './common.js';
import { Peer, RoomMessage, RoomStatus } from './messages.js';

export const RosterRow = Type.Object({
  name: Type.String(),
  online: Type.Boolean(),
  seconds_since_seen: Nullable(Type.Number()),
  last_message_seconds: Nullable(Type.Number()),
  capabilities: Type.String(),
  sources: Type.Array(Type.String({ description: 'presence, code or messages' })),
});
export type RosterRow = Static<typeof RosterRow>;

export const CodeListing = Type.Object({
  code: Type.String({ description: 'The code, or a masked form when codes are hashed at rest.' }),
  name: Type.String(),
  room: Type.String(),
  capabilities: Type.String(),
  created: Type.String(),
  expires: Nullable(Type.String()),
  expired: Type.Boolean(),
});
export type CodeListing = Static<typeof CodeListing>;

export const RoomSummary = Type.Object({
  room: Type.String(),
  messages: Type.Integer(),
  last_seq: Type.Integer(),
  last_ts: Nullable(Type.String()),
  seconds_since_last: Nullable(Type.Number()),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  closed_at: Nullable(Type.String()),
  closed_by: Nullable(Type.String()),
});
export type RoomSummary = Static<typeof RoomSummary>;

/** One open question (of `waiting`, `inbox` or `asked`): the message, how long it has waited and on whom. */
export const WaitingRow = Type.Object({
  ...RoomMessage.properties,
  waiting_seconds: Type.Number({ description: 'Seconds since it was asked.' }),
  waits_on: Type.Union([Type.Literal('operator'), Type.Literal('agent'), Type.Literal('nobody')], {
    description:
      "Whom it waits on: 'operator' (you), 'agent' (a member agent: expects_reply_resolved, or claimed_by for an open question) or 'nobody' (expects_reply_resolved names no member of the room: nobody will answer until an agent of that name joins).",
  }),
  asked_by_operator: Type.Boolean({
    description: "Asked under an operator name: 'operator', or a name posted under with POST /admin/say.",
  }),
});
export type WaitingRow = Static<typeof WaitingRow>;

/** A registered webhook as the operator sees it, with how its deliveries fare on this node. */
export const WebhookListing = Type.Object({
  room: Type.String(),
  name: Type.String(),
  url: Type.String({ description: 'Scheme, host and path; the query string is left out (it may hold a secret).' }),
  include_text: Type.Boolean(),
  created: Type.String(),
  active: Type.Boolean({ description: 'False when the code that registered it was revoked or has expired.' }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('failing'), Type.Literal('paused')]),
  failed_attempts: Type.Integer({ description: 'Failed attempts in a row on this node.' }),
  paused_until: Nullable(Type.String()),
  last_error: Nullable(Type.String()),
  last_delivered: Nullable(Type.String()),
  queued: Type.Integer({ description: 'Notices waiting on this node.' }),
});
export type WebhookListing = Static<typeof WebhookListing>;

export const WebhooksAnswer = Type.Object({ webhooks: Type.Array(WebhookListing) });
export type WebhooksAnswer = Static<typeof WebhooksAnswer>;

export const StateAnswer = Type.Object({
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
  waiting: Type.Array(WaitingRow, {
    description: 'Every open question except those the operator asked, longest wait first, at most 50 (SPEC §5).',
  }),
  inbox: Type.Array(WaitingRow, {
    description:
      "What waits on you: questions agents asked that wait on the operator or are addressed to nobody (never your own; those are in asked); longest wait first, at most 50 (the dashboard's 'Waiting on you').",
  }),
  asked: Type.Array(WaitingRow, {
    description:
      'Your own open questions (asked under an operator name), whomever they wait on (an agent, or nobody for a name no member has); never also in inbox; at most 50.',
  }),
  max_idle_seconds: Type.Integer(),
  messages: Type.Array(RoomMessage),
  webhooks: Type.Array(WebhookListing),
});
export type StateAnswer = Static<typeof StateAnswer>;

export const ChangesAnswer = Type.Object({ version: Type.Integer() });
export type ChangesAnswer = Static<typeof ChangesAnswer>;

export const StatsAnswer = Type.Object({
  version: Type.String(),
  uptime_seconds: Type.Integer(),
  online_peers: Type.Integer(),
  codes: Type.Integer(),
  messages: Type.Integer(),
  rooms: Type.Integer({
    description: 'Rooms with at least one message (a room only invited to or created does not count).',
  }),
  parked_polls: Type.Integer({ description: 'Long-polls waiting on this node right now.' }),
});
export type StatsAnswer = Static<typeof StatsAnswer>;

const AuditEvent = Type.Object({
  ts: Type.String(),
  action: Type.String(),
  actor: Type.String(),
  room: Type.String(),
  detail: Type.String(),
});
export const AuditAnswer = Type.Object({ events: Type.Array(AuditEvent) });
export type AuditAnswer = Static<typeof AuditAnswer>;

export const InviteAnswer = Type.Object({
  code: Type.String(),
  name: Type.String(),
  room: Type.String(),
  expires: Nullable(Type.String()),
  capabilities: Type.String(),
  url: Type.String(),
  instruction: Type.String(),
});
export type InviteAnswer = Static<typeof InviteAnswer>;

export const CodesAnswer = Type.Object({ codes: Type.Array(CodeListing) });
export type CodesAnswer = Static<typeof CodesAnswer>;

export const RevokeAnswer = Type.Object({ revoked: Type.Integer() });
export type RevokeAnswer = Static<typeof RevokeAnswer>;

export const RoomChanged = Type.Object({ ok: Type.Literal(true), room: RoomStatus });
export type RoomChanged = Static<typeof RoomChanged>;

export const RoomCreated = Type.Object({ ok: Type.Literal(true), created: Type.Boolean(), room: RoomStatus });
export type RoomCreated = Static<typeof RoomCreated>;

/** The answer of DELETE /admin/webhooks. */
export const AdminWebhookRemoved = Type.Object({
  removed: Type.Boolean({ description: 'False when the agent had no webhook.' }),
});
export type AdminWebhookRemoved = Static<typeof AdminWebhookRemoved>;

export const AdminToken = Type.Object({ admin_token: Type.String() });
export type AdminToken = Static<typeof AdminToken>;
