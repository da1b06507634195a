import type { QueryResultRow } from 'pg';
import { deliveredTo } from '../domain/visibility.js';
import { toPgMessage } from './postgres-rows.js';
import { type MessageRow, MSG_COLS, type RoomRow, toRoom } from './rows.js';
import type { ReadSnapshot } from './store.js';

interface PendingRead {
  reader: string;
  since: number;
  limit: number;
  resolve: (s: ReadSnapshot) => void;
  reject: (e: unknown) => void;
}

/** The most rows one shared read fetches; a longer backlog is read reader by reader. */
const BATCH_ROWS = 2000;

type Query = <T extends QueryResultRow>(text: string, params: unknown[]) => Promise<T[]>;

/**
 * The long-poll's reads for the cluster store. Reads of one room requested in the
 * same turn of the event loop (every poll a broadcast wakes) share one query: one
 * snapshot of the room's counter and its newest rows, from which each reader's view
 * is cut. Each answer is what that reader's own query would have returned then.
 */
export class SharedRoomReads {
  private readonly pending = new Map<string, PendingRead[]>();

  constructor(private readonly query: Query) {}

  /** One reader's snapshot, shared with the other readers of the room in this turn. */
  read(room: string, reader: string, since: number, limit: number): Promise<ReadSnapshot> {
    return new Promise((resolve, reject) => {
      let queue = this.pending.get(room);
      if (!queue) {
        queue = [];
        this.pending.set(room, queue);
        setImmediate(() => {
          const batch = this.pending.get(room) ?? [];
          this.pending.delete(room);
          this.readBatch(room, batch).catch((e) => {
            for (const r of batch) r.reject(e);
          });
        });
      }
      queue.push({ reader, since, limit, resolve, reject });
    });
  }

  private async readBatch(room: string, batch: PendingRead[]): Promise<void> {
    if (batch.length === 1) {
      const b = batch[0];
      b.resolve(await this.readOne(room, b.reader, b.since, b.limit));
      return;
    }
    const from = Math.min(...batch.map((b) => b.since));
    const [r] = await this.query<RoomRow & { msgs: MessageRow[] }>(
      `SELECT r.*, coalesce((
         SELECT json_agg(m ORDER BY m.seq) FROM (
           SELECT ${MSG_COLS} FROM messages WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3
         ) m
       ), '[]'::json) AS msgs
       FROM rooms r WHERE r.name = $1`,
      [room, from, BATCH_ROWS + 1],
    );
    if (!r) {
      for (const b of batch) b.resolve({ messages: [], lastSeq: 0, room: null, truncated: false });
      return;
    }
    if (r.msgs.length > BATCH_ROWS) {
      // A backlog too long to share: each reader asks for its own.
      await Promise.all(batch.map(async (b) => b.resolve(await this.readOne(room, b.reader, b.since, b.limit))));
      return;
    }
    const rows = r.msgs.map(toPgMessage);
    const rec = toRoom(r);
    for (const b of batch) {
      const mine = rows.filter((m) => m.seq > b.since && deliveredTo(m, b.reader));
      const truncated = mine.length > b.limit;
      if (truncated) mine.length = b.limit;
      b.resolve({ messages: mine, lastSeq: r.last_seq, room: rec, truncated });
    }
  }

  /** One reader's view in one statement, one snapshot: the counter and the rows agree. */
  private async readOne(room: string, reader: string, since: number, limit: number): Promise<ReadSnapshot> {
    const [r] = await this.query<RoomRow & { msgs: MessageRow[] }>(
      `SELECT r.*, coalesce((
         SELECT json_agg(m ORDER BY m.seq) FROM (
           SELECT ${MSG_COLS} FROM messages
           WHERE room = $1 AND seq > $2 AND sender <> $3 AND (recipient = 'all' OR recipient = $3)
           ORDER BY seq LIMIT $4
         ) m
       ), '[]'::json) AS msgs
       FROM rooms r WHERE r.name = $1`,
      [room, since, reader, limit + 1],
    );
    if (!r) return { messages: [], lastSeq: 0, room: null, truncated: false };
    const msgs = r.msgs.map(toPgMessage);
    const truncated = msgs.length > limit;
    if (truncated) msgs.length = limit;
    return { messages: msgs, lastSeq: r.last_seq, room: toRoom(r), truncated };
  }
}
