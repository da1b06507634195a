import { type Static, type TSchema, Type } from 'typebox';

/** A schema that also admits null, as one JSON-Schema type list (fast to serialize). */
export function Nullable<T extends TSchema>(schema: T) {
  const s = schema as unknown as { type?: string };
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [s.type, 'null'] });
}

/** Name-like fields: agent names, rooms, addressees (1–64 characters). */
export const Name = Type.String({ minLength: 1, maxLength: 64 });

/** Every error body: a machine code and a sentence; some errors add fields. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable code, e.g. unauthorized, bad_request, room_closed.' }),
    detail: Type.String({ description: 'What went wrong and what to do next.' }),
  },
  { additionalProperties: true },
);

/** The usual error responses of an authenticated route. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>;

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
});

export const RoomMessage = Type.Object({ ...Message.properties, room: Type.String() });

export const RoomStatus = Type.Object({
  name: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  closed_at: Nullable(Type.String()),
  closed_by: Nullable(Type.String()),
});

export const PollBudget = Type.Object({
  waited_seconds: Type.Number(),
  room_quiet_seconds: Type.Number(),
  idle_seconds: Type.Number(),
  max_idle_seconds: Type.Integer(),
  seconds_left: Nullable(Type.Number()),
  should_exit: Type.Boolean(),
  reason: Nullable(Type.String()),
});

export const PollAnswer = Type.Object({
  messages: Type.Array(Message),
  cursor: Type.Integer({ description: 'Pass as since next time; never skips a message.' }),
  room: RoomStatus,
  room_closed: Type.Boolean(),
  should_exit: Type.Boolean(),
  exit_reason: Nullable(Type.String()),
  poll_budget: PollBudget,
});

export const Peer = Type.Object({
  name: Type.String(),
  online: Type.Boolean(),
  seconds_since_seen: Type.Number(),
  capabilities: Type.String(),
});

export const RosterRow = Type.Object({
  name: Type.String(),
  online: Type.Boolean(),
  seconds_since_seen: Nullable(Type.Number()),
  last_message_seconds: Nullable(Type.Number()),
  capabilities: Type.String(),
  sources: Type.Array(Type.String()),
});

export const CodeListing = Type.Object({
  code: Type.String({ description: 'The code, or a masked form when codes are hashed at rest.' }),
  name: Type.String(),
  room: Type.String(),
  capabilities: Type.String(),
  created: Type.String(),
  expires: Nullable(Type.String()),
  expired: Type.Boolean(),
});

export const RoomSummary = Type.Object({
  room: Type.String(),
  messages: Type.Integer(),
  last_seq: Type.Integer(),
  last_ts: Nullable(Type.String()),
  seconds_since_last: Nullable(Type.Number()),
  status: Type.String(),
  closed_at: Nullable(Type.String()),
  closed_by: Nullable(Type.String()),
});

export const WaitingRow = Type.Object({ ...RoomMessage.properties, waiting_seconds: Type.Number() });

/** The largest integer JSON numbers carry exactly (2^53 - 1). */
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
