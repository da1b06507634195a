import type { Cancels } from './cancels.js';
import type { Limiter } from './limiter.js';
import type { Presence } from './presence.js';
import type { Tickets } from './tickets.js';
import type { Wakeups } from './wakeups.js';

/**
 * Live: the ephemeral, fast-changing state — presence (with dry spells), the
 * limiters, wake-ups, single-use tickets and
 * recently cancelled requests. Nothing here must survive a restart.
 * The in-memory backend (memory.ts) serves one process; the Redis backend
 * (redis.ts) shares them between nodes. The contract suite in
 * test/live/contract.ts runs against both.
 */
export interface Live {
  readonly presence: Presence;
  readonly limiter: Limiter;
  readonly wakeups: Wakeups;
  readonly tickets: Tickets;
  readonly cancels: Cancels;
  /** True when the live state answers (readiness). */
  ping(): Promise<boolean>;
  /** Releases parked waiters and closes connections. */
  close(): Promise<void>;
}

/** One agent's key in live state: names may hold any printable character, so NUL separates room and name. */
export function agentKey(room: string, name: string): string {
  return `${room}\u0000${name}`;
}
