import type { StoredMessage } from '../domain/message.js';
import { deliveredTo, visibleTo } from '../domain/visibility.js';
import type { CodeRecord, RoomRecord } from './store.js';

/** The newest messages of one room: every message that still exists with seq > `from`. */
interface Ring {
  from: number;
  msgs: StoredMessage[];
  chars: number;
}

/** Limits of the hot cache. */
export interface HotCacheLimits {
  /** Newest messages kept per room. */
  perRoom: number;
  /** Characters of message text kept across all rooms; the least recently used rooms go first. */
  totalChars: number;
}

/**
 * What the embedded store keeps in memory so the hot paths (auth, the long-poll,
 * claims) rarely touch SQLite: codes by hash, room rows, and the newest messages of
 * each active room. The store updates it on its own writes and clears it when
 * another process writes to the database. Everything here is also on disk.
 */
export class HotCache {
  readonly codes = new Map<string, CodeRecord>();
  readonly rooms = new Map<string, RoomRecord | null>();
  private readonly rings = new Map<string, Ring>();
  private chars = 0;

  constructor(private readonly limits: HotCacheLimits) {}

  /** Forgets everything (another process changed the database). */
  clear(): void {
    this.codes.clear();
    this.rooms.clear();
    this.rings.clear();
    this.chars = 0;
  }

  /** True when the room's recent messages are cached. */
  hasRing(room: string): boolean {
    return this.rings.has(room);
  }

  /** Caches the newest messages of a room, as read from disk (oldest first); `complete` when they are all there are. */
  loadRing(room: string, msgs: StoredMessage[], complete: boolean): void {
    this.dropRing(room);
    const ring: Ring = { from: complete || msgs.length === 0 ? 0 : msgs[0].seq - 1, msgs: [], chars: 0 };
    this.rings.set(room, ring);
    for (const m of msgs) this.add(ring, m);
    this.trim(room, ring, 0);
  }

  /** Appends a newly stored message; `keep` > 0 drops what retention deleted. */
  push(room: string, m: StoredMessage, keep: number): void {
    const ring = this.touchRing(room);
    if (!ring) return;
    this.add(ring, m);
    this.trim(room, ring, keep > 0 ? m.seq - keep : 0);
  }

  /**
   * Messages with seq > since that `reader` may see (not its own), at most `limit`,
   * or null when the cache cannot answer and the caller must read the disk.
   */
  readSince(
    room: string,
    reader: string,
    since: number,
    limit: number,
  ): { messages: StoredMessage[]; truncated: boolean } | null {
    const ring = this.touchRing(room);
    if (!ring || since < ring.from) return null;
    const out: StoredMessage[] = [];
    const msgs = ring.msgs;
    let i = msgs.length;
    while (i > 0 && msgs[i - 1].seq > since) i--;
    for (; i < msgs.length; i++) {
      const m = msgs[i];
      if (!deliveredTo(m, reader)) continue;
      if (out.length === limit) return { messages: out, truncated: true };
      out.push(m);
    }
    return { messages: out, truncated: false };
  }

  /** The cached message `seq` if `reader` may see it; undefined when not cached, null when not visible or gone. */
  find(room: string, seq: number, reader: string): StoredMessage | null | undefined {
    const ring = this.rings.get(room);
    if (!ring || seq <= ring.from) return undefined;
    const m = ring.msgs.find((x) => x.seq === seq);
    if (!m) return null;
    return visibleTo(m, reader) ? m : null;
  }

  /** Replaces a cached message (after a claim), never mutating one a caller may hold. */
  replace(room: string, m: StoredMessage): void {
    const ring = this.rings.get(room);
    if (!ring) return;
    const i = ring.msgs.findIndex((x) => x.seq === m.seq);
    if (i >= 0) ring.msgs[i] = m;
  }

  private touchRing(room: string): Ring | undefined {
    const ring = this.rings.get(room);
    if (ring) {
      // Map order is the LRU order: move the room to the end.
      this.rings.delete(room);
      this.rings.set(room, ring);
    }
    return ring;
  }

  private dropRing(room: string): void {
    const ring = this.rings.get(room);
    if (ring) {
      this.chars -= ring.chars;
      this.rings.delete(room);
    }
  }

  private add(ring: Ring, m: StoredMessage): void {
    ring.msgs.push(m);
    ring.chars += m.text.length;
    this.chars += m.text.length;
  }

  private trim(room: string, ring: Ring, deletedThrough: number): void {
    while (ring.msgs.length > 0 && (ring.msgs.length > this.limits.perRoom || ring.msgs[0].seq <= deletedThrough)) {
      const m = ring.msgs.shift() as StoredMessage;
      ring.chars -= m.text.length;
      this.chars -= m.text.length;
      // Shifted for size: the ring no longer holds it. Deleted by retention: nobody does.
      if (m.seq > deletedThrough) ring.from = m.seq;
    }
    for (const [name] of this.rings) {
      if (this.chars <= this.limits.totalChars || name === room) break;
      this.dropRing(name);
    }
  }
}
