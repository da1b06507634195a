/**
 * Handouts: the rules that make a server-side cursor exactly-once for clients that
 * do not carry a cursor themselves (MCP's wait_for_messages). A batch given to a
 * request is *pending* until the agent's next read starts on top of it; if that
 * request is cancelled, or its answer never left the bridge, the next read starts
 * before it again, so the batch is delivered once more instead of lost. Every
 * change is a compare-and-set on `rev`, so two waits of one agent never take the
 * same messages, on one node or many.
 */

/** One agent's server-side cursor and the batch it handed out last. */
export interface CursorState {
  /** Every message up to this seq has reached the agent. */
  committed: number;
  /** Where the last handed-out batch ends; null when nothing is pending. */
  pendingTo: number | null;
  /** The request that batch answered (see requestKey), for its cancellation. */
  pendingReq: string | null;
  /** True when that request was cancelled or its answer was lost: the batch goes out again. */
  pendingCancelled: boolean;
  /** Changes with every write (0: the agent has no cursor yet). */
  rev: number;
}

/** The state of an agent that has never read through a server-side cursor. */
export const NO_CURSOR: CursorState = {
  committed: 0,
  pendingTo: null,
  pendingReq: null,
  pendingCancelled: false,
  rev: 0,
};

/** Where the agent's next read starts: after the pending batch unless it was cancelled. */
export function startOf(s: CursorState): number {
  return s.pendingTo !== null && !s.pendingCancelled ? s.pendingTo : s.committed;
}

/**
 * The state after handing request `req` the batch that read from `from` up to `to`
 * (`delivered`: it carried messages). A read that starts on top of a pending batch
 * confirms it (the agent asked again, so the answer arrived). Null when nothing needs
 * writing: an empty batch is never pending, and does not move past a batch another
 * request still holds. A read from an explicit `since` other than where the cursor
 * stands never moves it back, and never forward over messages it did not deliver:
 * from behind, only what it delivered beyond the cursor becomes pending; from ahead
 * (a seq the agent made up), nothing is written.
 */
export function handOut(
  s: CursorState,
  b: { from: number; to: number; req: string; delivered: boolean },
): Omit<CursorState, 'rev'> | null {
  const base = startOf(s);
  if (b.from !== base) {
    if (b.from > base || !b.delivered || b.to <= base) return null;
    return { committed: base, pendingTo: b.to, pendingReq: b.req, pendingCancelled: false };
  }
  if (b.delivered) return { committed: b.from, pendingTo: b.to, pendingReq: b.req, pendingCancelled: false };
  const pending = s.pendingTo !== null && !s.pendingCancelled;
  if (pending || (b.to === s.committed && s.pendingTo === null)) return null;
  return { committed: b.to, pendingTo: null, pendingReq: null, pendingCancelled: false };
}

/**
 * A stable key for a JSON-RPC request id within one agent: `1` and `"1"` are
 * different ids (JSON-RPC 2.0 §4), so the type is part of the key. Every client
 * numbers its requests from 0 or 1, so two clients of one agent are told apart by
 * `session` (the client's MCP session id), else their cancels would hit each other.
 */
export function requestKey(id: string | number, session = ''): string {
  const key = typeof id === 'number' ? `n:${id}` : `s:${id}`;
  return session === '' ? key : `${session}/${key}`;
}
