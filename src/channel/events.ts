import type { Message, PollAnswer } from '../wire/messages.js';

/** The method Claude Code listens on for a channel's pushes. */
export const CHANNEL_METHOD = 'notifications/claude/channel';

/**
 * The params of one `notifications/claude/channel`: `content` becomes the body of a
 * `<channel source="…" key="value"…>` block in the session, `meta` its attributes.
 */
export interface ChannelEvent {
  content: string;
  meta: Record<string, string>;
}

/** Claude Code keeps only meta keys that are identifiers; any other key is dropped. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A flat map of identifier keys to string values, leaving out what is null or undefined. */
export function metaOf(fields: Record<string, string | number | null | undefined>): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === null || value === undefined || !IDENTIFIER.test(key)) continue;
    meta[key] = String(value);
  }
  return meta;
}

/**
 * A room message as a channel event: the text as content; who sent it, to whom, its
 * seq and who should answer as attributes. `expects_reply_resolved` is added only
 * when it narrows `expects_reply`; `claimed_by` only once someone has claimed it;
 * `reply_to` only for a reply, `answered_by`/`answered_at` only once answered;
 * `lease_expires_at` while a claim's lease runs. The bridge's own notices carry
 * `message_kind` (the message's `kind`, e.g. claim_reopened: `kind` is this event's)
 * and `reason`.
 */
export function messageEvent(m: Message, room: string): ChannelEvent {
  return {
    content: m.text,
    meta: metaOf({
      kind: 'message',
      room,
      seq: m.seq,
      from: m.from,
      to: m.to,
      expects_reply: m.expects_reply,
      expects_reply_resolved: m.expects_reply_resolved !== m.expects_reply ? m.expects_reply_resolved : null,
      claimed_by: m.claimed_by,
      reply_to: m.reply_to,
      answered_by: m.answered_by,
      answered_at: m.answered_at,
      lease_expires_at: m.lease_expires_at ?? null,
      message_kind: m.kind ?? null,
      reason: m.reason ?? null,
      ts: m.ts,
    }),
  };
}

/** Why the channel stopped pushing, for the final event and for not repeating it after a restart. */
export interface ExitInfo {
  reason: string;
  room: string | null;
  /** Identifies this closing: the same key after a restart means it was already announced. */
  key: string;
  event: ChannelEvent;
}

/** The final event when a poll says should_exit (the room was closed, or went idle). */
export function exitFromPoll(a: PollAnswer): ExitInfo {
  const reason = a.exit_reason ?? (a.room_closed ? 'room_closed' : 'idle_timeout');
  const room = a.room.name;
  const content =
    reason === 'room_closed'
      ? `The operator closed room ${room}${a.room.closed_by ? ` (closed by ${a.room.closed_by})` : ''}. No more messages will arrive: finish what you are doing cleanly and stop working for the room. Posting is refused while it is closed.`
      : reason === 'idle_timeout'
        ? `Nobody has spoken in room ${room} for a long time (idle timeout), so the channel stopped listening. If you report on it, say that you left because the room went silent, not that the work failed.`
        : `The bridge asked you to leave room ${room} (${reason}). No more messages will arrive.`;
  return {
    reason,
    room,
    key: reason === 'room_closed' ? `room_closed:${room}:${a.room.closed_at ?? ''}` : `${reason}:${room}:${a.cursor}`,
    event: {
      content,
      meta: metaOf({
        kind: 'exit',
        room,
        exit_reason: reason,
        closed_by: reason === 'room_closed' ? a.room.closed_by : null,
        closed_at: reason === 'room_closed' ? a.room.closed_at : null,
      }),
    },
  };
}

/** The final event when the bridge refuses the code (revoked, expired, or never valid). */
export function exitFromRefusal(body: unknown, room: string | null): ExitInfo {
  const b = (typeof body === 'object' && body ? body : {}) as { reason?: string; detail?: string };
  const reason = b.reason === 'access_revoked' || b.reason === 'code_expired' ? b.reason : 'unauthorized';
  const why =
    reason === 'access_revoked'
      ? 'Your access code was revoked.'
      : reason === 'code_expired'
        ? 'Your access code expired.'
        : 'The bridge does not accept your access code.';
  return {
    reason,
    room,
    key: `${reason}`,
    event: {
      content: `${why} No more messages will arrive and the tools will be refused. Tell your user; the operator can mint a new code (argybargy invite).${b.detail ? ` The bridge said: ${b.detail}` : ''}`,
      meta: metaOf({ kind: 'exit', room, exit_reason: reason }),
    },
  };
}

/** A note from the channel itself, not from the room. */
export function noticeEvent(text: string, room: string | null): ChannelEvent {
  return { content: text, meta: metaOf({ kind: 'notice', room }) };
}
