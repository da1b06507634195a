import { isoSeconds } from './time.js';

/** A message as the store keeps it. `at` is epoch milliseconds. */
export interface StoredMessage {
  room: string;
  seq: number;
  at: number;
  from: string;
  to: string;
  text: string;
  expects_reply: string;
  claimed_by: string | null;
}

/** A message as the wire carries it (SPEC §2). */
export interface WireMessage {
  seq: number;
  ts: string;
  from: string;
  to: string;
  text: string;
  expects_reply: string;
  claimed_by: string | null;
  expects_reply_resolved: string;
  room?: string;
}

/** The wire form of a stored message, with its read-time resolution; `withRoom` adds the room (operator views). */
export function toWire(m: StoredMessage, resolved: string, withRoom = false): WireMessage {
  const out: WireMessage = {
    seq: m.seq,
    ts: isoSeconds(m.at),
    from: m.from,
    to: m.to,
    text: m.text,
    expects_reply: m.expects_reply,
    claimed_by: m.claimed_by,
    expects_reply_resolved: resolved,
  };
  if (withRoom) out.room = m.room;
  return out;
}

/** The wire form with its room, for views that span rooms. */
export function toRoomWire(m: StoredMessage, resolved: string): WireMessage & { room: string } {
  return { ...toWire(m, resolved), room: m.room };
}

/** True when `reader` may see `m`: broadcasts, DMs to or from the reader. */
export function visibleTo(m: Pick<StoredMessage, 'from' | 'to'>, reader: string): boolean {
  return m.to === 'all' || m.to === reader || m.from === reader;
}
