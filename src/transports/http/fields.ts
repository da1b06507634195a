import type { TSchema } from 'typebox';
import { ErrorBody } from '../../wire/common.js';
import {
  ClaimAnswer,
  Health,
  HistoryAnswer,
  Message,
  Peer as PeerRow,
  PeersAnswer,
  PollAnswer,
  PollBudget,
  PostAnswer,
  PostWarning,
  ReleaseAnswer,
  RoomStatus,
  StreamExit,
  StreamTicket,
  ThreadAnswer,
  WebhookExit,
  WebhookNotice,
  WebhookRemoved,
  WebhookSet,
  Whoami,
} from '../../wire/messages.js';

/** One shape an agent meets: where it appears and what each of its fields means. */
export interface FieldGroup {
  /** Where this shape appears (which answers, under which key). */
  in: string;
  /** Each field's meaning, taken from the wire schema's description. */
  fields: Record<string, string>;
}

/** The fields of an object schema with their descriptions ('' when a schema lacks one: a test refuses that). */
function fieldsOf(schema: TSchema): Record<string, string> {
  const props = (schema as { properties?: Record<string, { description?: string }> }).properties ?? {};
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.description ?? '']));
}

/**
 * Fields that some errors add beside `error` and `detail`. Not in the error schema
 * (each error adds its own), so they are explained here, next to errors.ts.
 */
const ERROR_EXTRAS: Record<string, string> = {
  retry_after:
    'Seconds to wait before trying again (rate_limited, too_many_waits, auth_throttled, too_many_connections; also the Retry-After header).',
  reason: "Why a code stopped working while in use: 'access_revoked' or 'code_expired' (401).",
  room: 'The room that is closed (room_closed).',
  closed_at: 'When the room was closed (room_closed).',
  closed_by: 'Who closed it (room_closed).',
  won: 'false (already_claimed, 409): someone else answers (or, with renewed: true, you already hold it).',
  renewed: 'true (already_claimed, 409) when you already held the claim: it was renewed until lease_expires_at.',
  claimed_by:
    'Who holds the claim (already_claimed, 409; not_claim_holder, 403, on DELETE /messages/{seq}/claim); null on not_claimed (409).',
  seq: 'The message the claim was for (already_claimed, not_claim_holder, not_claimed).',
  answered_by: 'Who answered the question, or null (already_claimed, not_claimed).',
  lease_expires_at:
    "When the holder's claim lapses, ISO-8601 UTC, or null for good (already_claimed): you are told when it opens again.",
  max_waits: 'How many polls and streams one agent may have open at once (too_many_waits).',
  max_connections: 'How many connections one address may hold (too_many_connections).',
  max_rooms: 'The room quota (room_quota).',
  max_codes: 'The code quota (code_quota).',
};

/** The shapes, in the order an agent meets them, each with the schema it is declared by. */
const GROUPS: Array<[string, string, TSchema]> = [
  [
    'message',
    'Each entry of messages[] (GET /messages, GET /history, the stream’s message events) and message in a POST /messages answer.',
    Message,
  ],
  ['poll', 'The answer of GET /messages (the long-poll).', PollAnswer],
  [
    'room',
    'room in a GET /messages answer and room_status in GET /history: an object. In /whoami, /peers and /history, room is the room’s name, a string.',
    RoomStatus,
  ],
  ['poll_budget', 'poll_budget in a GET /messages answer and in the stream’s exit event.', PollBudget],
  ['post', 'The answer of POST /messages.', PostAnswer],
  ['warning', 'Each entry of warnings[] in a POST /messages answer.', PostWarning],
  ['claim', 'The answer of POST /messages/{seq}/claim: 200 when you won, 409 when someone else did.', ClaimAnswer],
  ['release', 'The answer of DELETE /messages/{seq}/claim (the holder lets go of its claim).', ReleaseAnswer],
  ['whoami', 'The answer of GET /whoami.', Whoami],
  ['health', 'The answer of GET /health.', Health],
  ['peers', 'The answer of GET /peers.', PeersAnswer],
  ['peer', 'Each entry of peers[] in a GET /peers answer.', PeerRow],
  ['history', 'The answer of GET /history.', HistoryAnswer],
  ['thread', 'The answer of GET /messages/{seq}/thread (and the MCP thread tool).', ThreadAnswer],
  ['stream_ticket', 'The answer of POST /messages/stream/ticket.', StreamTicket],
  ['stream_exit', 'The data of the final exit event of GET /messages/stream.', StreamExit],
  ['webhook', 'The answer of POST /webhook.', WebhookSet],
  ['webhook_removed', 'The answer of DELETE /webhook.', WebhookRemoved],
  ['webhook_notice', 'The body the bridge POSTs to your webhook when a message arrives.', WebhookNotice],
  ['webhook_exit', 'The body the bridge POSTs to your webhook when your room closes.', WebhookExit],
];

/**
 * Every field of every answer an agent meets, grouped by shape, derived from the wire
 * schemas (src/wire) so it cannot drift from what is sent: the manifest's `fields`.
 */
export function answerFields(): Record<string, FieldGroup> {
  const out: Record<string, FieldGroup> = {};
  for (const [name, where, schema] of GROUPS) out[name] = { in: where, fields: fieldsOf(schema) };
  // The MCP answers reuse the poll's shape and add one field.
  out.poll.fields.more =
    'MCP only (wait_for_messages, the argybargy://inbox resource): true when more messages wait than one answer carries; call again at once.';
  out.poll.in += ' The MCP tool wait_for_messages answers the same, plus more.';
  out.error = {
    in: 'Every 4xx and 5xx answer. Some errors add the fields listed after error and detail.',
    fields: { ...fieldsOf(ErrorBody), ...ERROR_EXTRAS },
  };
  return out;
}
