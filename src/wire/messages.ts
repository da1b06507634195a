/**
 * What agents see on the wire: messages, the long-poll answer and the other agent
 * endpoints' answers. These TypeBox schemas are the one declaration of each shape:
 * routes validate and serialize with them, OpenAPI is generated from them, and the
 * TypeScript types (`Static<>`) are what the services return and the CLI reads.
 */
import { type Static, Type } from 'typebox';
import { Nullable } from './common.js';

export const Message = Type.Object({
  seq: Type.Integer({ description: 'Per-room sequence number, from 1, never reused.' }),
  ts: Type.String({ description: 'ISO-8601 UTC, seconds precision.' }),
  from: Type.String(),
  to: Type.String({ description: "'all' or a peer name." }),
  text: Type.String(),
  expects_reply: Type.String({ description: "'none', 'anyone' or a peer name." }),
  claimed_by: Nullable(Type.String()),
  expects_reply_resolved: Type.String({
    description: "expects_reply, with 'anyone' narrowed to the only other member.",
  }),
  reply_to: Nullable(Type.Integer({ description: 'The seq of the message (same room) this one replies to.' })),
  answered_by: Nullable(
    Type.String({ description: 'Who answered this question (a reply with reply_to from the one it waited on).' }),
  ),
  answered_at: Nullable(Type.String({ description: 'When it was answered: ISO-8601 UTC, seconds precision.' })),
});
export type Message = Static<typeof Message>;

/** A message in a view that spans rooms (the operator's). */
export const RoomMessage = Type.Object({ ...Message.properties, room: Type.String() });
export type RoomMessage = Static<typeof RoomMessage>;

export const RoomStatus = Type.Object({
  name: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  closed_at: Nullable(Type.String()),
  closed_by: Nullable(Type.String()),
});
export type RoomStatus = Static<typeof RoomStatus>;

export const PollBudget = Type.Object({
  waited_seconds: Type.Number(),
  room_quiet_seconds: Type.Number(),
  idle_seconds: Type.Number(),
  max_idle_seconds: Type.Integer(),
  seconds_left: Nullable(Type.Number()),
  should_exit: Type.Boolean(),
  reason: Nullable(Type.String()),
});
export type PollBudget = Static<typeof PollBudget>;

export const PollAnswer = Type.Object({
  messages: Type.Array(Message),
  cursor: Type.Integer({ description: 'Pass as since next time; never skips a message.' }),
  room: RoomStatus,
  room_closed: Type.Boolean(),
  should_exit: Type.Boolean(),
  exit_reason: Nullable(Type.String()),
  poll_budget: PollBudget,
});
export type PollAnswer = Static<typeof PollAnswer>;

/**
 * The data of the event stream's final `exit` event: the room closed or went idle
 * (with the room and the budget), or the agent's code was revoked or expired
 * (exit_reason access_revoked or code_expired, with a detail sentence).
 */
export const StreamExit = Type.Object({
  should_exit: Type.Literal(true),
  exit_reason: Nullable(Type.String()),
  cursor: Type.Integer(),
  room: Type.Optional(RoomStatus),
  poll_budget: Type.Optional(PollBudget),
  detail: Type.Optional(Type.String()),
});
export type StreamExit = Static<typeof StreamExit>;

export const PostAnswer = Type.Object({ ok: Type.Literal(true), message: Message });
export type PostAnswer = Static<typeof PostAnswer>;

/** The answer to a claim: 200 when won; 409 (with error and detail) when someone else has it or it was answered. */
export const ClaimAnswer = Type.Object({
  won: Type.Boolean(),
  claimed_by: Type.String({ description: 'Who holds it: the claimant, or the answerer of a question nobody claimed.' }),
  seq: Type.Integer(),
  answered_by: Type.Optional(
    Nullable(Type.String({ description: 'On a lost claim: who answered it (null while unanswered).' })),
  ),
  error: Type.Optional(Type.String()),
  detail: Type.Optional(Type.String()),
});
export type ClaimAnswer = Static<typeof ClaimAnswer>;

/** GET /messages/{seq}/thread: a question and every reply to it (transitively) the caller may see. */
export const ThreadAnswer = Type.Object({
  room: Type.String(),
  root: Message,
  messages: Type.Array(Message, { description: 'The root and its replies, oldest first.' }),
  truncated: Type.Boolean({ description: 'True when the thread is longer than one answer carries.' }),
});
export type ThreadAnswer = Static<typeof ThreadAnswer>;

export const Whoami = Type.Object({ name: Type.String(), room: Type.String(), capabilities: Type.String() });
export type Whoami = Static<typeof Whoami>;

export const Peer = Type.Object({
  name: Type.String(),
  online: Type.Boolean(),
  seconds_since_seen: Type.Number(),
  capabilities: Type.String(),
});
export type Peer = Static<typeof Peer>;

export const PeersAnswer = Type.Object({ room: Type.String(), peers: Type.Array(Peer) });
export type PeersAnswer = Static<typeof PeersAnswer>;

export const HistoryAnswer = Type.Object({
  room: Type.String(),
  messages: Type.Array(Message),
  room_status: RoomStatus,
});
export type HistoryAnswer = Static<typeof HistoryAnswer>;

export const WebhookSet = Type.Object({
  ok: Type.Literal(true),
  url: Type.String(),
  include_text: Type.Boolean(),
  secret: Type.String(),
  signature: Type.String(),
});
export type WebhookSet = Static<typeof WebhookSet>;

export const WebhookRemoved = Type.Object({ ok: Type.Literal(true), removed: Type.Boolean() });
export type WebhookRemoved = Static<typeof WebhookRemoved>;

/** The notice a webhook receives for a message: enough to know it should read, not the message itself unless asked. */
export const WebhookNotice = Type.Object({
  event: Type.Literal('message'),
  room: Type.String(),
  seq: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  expects_reply: Type.String(),
  ts: Type.String(),
  text: Type.Optional(Type.String()),
  /** With the text: the message it replies to, and (always null for a new message) its answer. */
  reply_to: Type.Optional(Nullable(Type.Integer())),
  answered_by: Type.Optional(Nullable(Type.String())),
  answered_at: Type.Optional(Nullable(Type.String())),
});
export type WebhookNotice = Static<typeof WebhookNotice>;

/** The notice a webhook receives when its room closes: time to leave. */
export const WebhookExit = Type.Object({
  event: Type.Literal('exit'),
  room: Type.String(),
  should_exit: Type.Literal(true),
  exit_reason: Type.String(),
  closed_by: Nullable(Type.String()),
  closed_at: Nullable(Type.String()),
});
export type WebhookExit = Static<typeof WebhookExit>;
