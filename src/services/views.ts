import { ANYONE, resolveExpects } from '../domain/expects.js';
import type { StoredMessage } from '../domain/message.js';
import { namesSomebody, unknownRecipients } from '../domain/recipients.js';
import { isoSeconds } from '../domain/time.js';
import type { OpenQuestion } from '../domain/waiting.js';
import type { CodeRecord, RoomRecord } from '../store/store.js';
import type { Message, PostAnswer, RoomMessage, RoomStatus } from '../wire/messages.js';
import type { CodeListing, WaitingRow } from '../wire/operator.js';
import type { ServiceContext } from './context.js';

/** The wire form of a stored message, with `expects_reply` as resolved at read time. */
function toWire(m: StoredMessage, resolved: string): Message {
  return {
    seq: m.seq,
    ts: isoSeconds(m.at),
    from: m.from,
    to: m.to,
    text: m.text,
    expects_reply: m.expects_reply,
    claimed_by: m.claimed_by,
    expects_reply_resolved: resolved,
    reply_to: m.reply_to,
    answered_by: m.answered_by,
    answered_at: m.answered_at === null ? null : isoSeconds(m.answered_at),
    lease_expires_at: m.claim_expires_at === null ? null : isoSeconds(m.claim_expires_at),
    kind: m.kind,
    reason: m.reason,
  };
}

/** The wire form with its room, for views that span rooms. */
export function toRoomWire(m: StoredMessage, resolved: string): RoomMessage {
  return { ...toWire(m, resolved), room: m.room };
}

/** One open question as the operator's views show it. */
export function waitingRow(q: OpenQuestion): WaitingRow {
  return {
    ...toRoomWire(q.message, q.resolved),
    waiting_seconds: q.waitingSeconds,
    waits_on: q.waitsOn,
    asked_by_operator: q.askedByOperator,
  };
}

/** The room status of a room record (a missing room is open). */
export function roomStatus(name: string, r: RoomRecord | null): RoomStatus {
  if (!r?.closed) return { name, status: 'open', closed_at: null, closed_by: null };
  return {
    name,
    status: 'closed',
    closed_at: r.closedAt === null ? null : isoSeconds(r.closedAt),
    closed_by: r.closedBy,
  };
}

/** A code as listings show it (the display form: masked when codes are hashed at rest). */
export function codeListing(c: CodeRecord, nowMs: number): CodeListing {
  return {
    code: c.display,
    name: c.name,
    room: c.room,
    capabilities: c.capabilities,
    created: isoSeconds(c.createdAt),
    expires: c.expiresAt === null ? null : isoSeconds(c.expiresAt),
    expired: c.expiresAt !== null && c.expiresAt <= nowMs,
  };
}

/** The wire form of messages of one room, reading the room's membership only when an `anyone` needs resolving. */
export async function decorate(ctx: ServiceContext, room: string, rows: StoredMessage[]): Promise<Message[]> {
  let members: Set<string> | null = null;
  if (rows.some((m) => m.expects_reply === ANYONE)) members = await ctx.store.members(room, ctx.now());
  return rows.map((m) => toWire(m, members ? resolveExpects(m.expects_reply, m.from, members) : m.expects_reply));
}

/**
 * The answer to an accepted post: the message as read back, and `warnings` naming a
 * `to` or `expects_reply` that is no member of the room (domain/recipients.ts).
 * Membership is read once, after the append (so the sender counts), and only when the
 * post names somebody or asks `anyone`.
 */
export async function postAnswer(ctx: ServiceContext, m: StoredMessage): Promise<PostAnswer> {
  const check = namesSomebody(m.to, m.expects_reply);
  if (!check && m.expects_reply !== ANYONE) return { ok: true, message: toWire(m, m.expects_reply), warnings: [] };
  const members = await ctx.store.members(m.room, ctx.now());
  return {
    ok: true,
    message: toWire(m, resolveExpects(m.expects_reply, m.from, members)),
    warnings: check ? unknownRecipients({ room: m.room, to: m.to, expects: m.expects_reply, members }) : [],
  };
}
