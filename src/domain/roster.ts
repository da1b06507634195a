import { secondsBetween } from './time.js';

/** One agent seen live on this bridge. */
export interface PresenceEntry {
  room: string;
  name: string;
  lastSeen: number;
}

/** Where the roster learned of a member. */
type Source = 'presence' | 'code' | 'messages';

/** A roster row before anything is known of the member. */
function blankRow(name: string) {
  return {
    name,
    online: false,
    seconds_since_seen: null as number | null,
    last_message_seconds: null as number | null,
    capabilities: '',
    sources: [] as Source[],
  };
}

/** Presence rows for one room, sorted by name, with capabilities from the codes. */
export function peerRows(
  presence: PresenceEntry[],
  capabilities: Map<string, string>,
  nowMs: number,
  onlineWindowSeconds: number,
) {
  return [...presence]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => {
      const ago = secondsBetween(p.lastSeen, nowMs);
      return {
        name: p.name,
        online: ago <= onlineWindowSeconds,
        seconds_since_seen: ago,
        capabilities: capabilities.get(p.name) ?? '',
      };
    });
}

/**
 * Who belongs to each room: code holders, everyone who has posted, and anyone live
 * right now. Presence only sets `online`; it never decides whether a row exists
 * beyond adding live agents, so the roster survives a restart.
 */
export function buildRoster(input: {
  presence: PresenceEntry[];
  codes: Array<{ room: string; name: string; capabilities: string }>;
  senders: Array<{ room: string; name: string; lastAt: number }>;
  nowMs: number;
  onlineWindowSeconds: number;
}) {
  type Row = ReturnType<typeof blankRow>;
  const rooms = new Map<string, Map<string, Row>>();
  const row = (room: string, name: string): Row => {
    let r = rooms.get(room);
    if (!r) {
      r = new Map();
      rooms.set(room, r);
    }
    let x = r.get(name);
    if (!x) {
      x = blankRow(name);
      r.set(name, x);
    }
    return x;
  };
  for (const p of input.presence) {
    const x = row(p.room, p.name);
    x.seconds_since_seen = secondsBetween(p.lastSeen, input.nowMs);
    x.online = x.seconds_since_seen <= input.onlineWindowSeconds;
    x.sources.push('presence');
  }
  for (const c of input.codes) {
    const x = row(c.room, c.name);
    if (!x.sources.includes('code')) x.sources.push('code');
    if (c.capabilities) x.capabilities = c.capabilities;
  }
  for (const s of input.senders) {
    const x = row(s.room, s.name);
    x.last_message_seconds = secondsBetween(s.lastAt, input.nowMs);
    x.sources.push('messages');
  }
  const order = { presence: 0, code: 1, messages: 2 } as const;
  const out: Record<string, Row[]> = {};
  for (const room of [...rooms.keys()].sort()) {
    out[room] = [...(rooms.get(room)?.values() ?? [])]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((x) => ({ ...x, sources: x.sources.sort((a, b) => order[a] - order[b]) }));
  }
  return out;
}
