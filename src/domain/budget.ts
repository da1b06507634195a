import { round1 } from './time.js';

/** Why an agent is told to leave, or null while it should stay. */
type ExitReason = 'room_closed' | 'idle_timeout' | null;

/**
 * The safety valve. Two clocks, the larger wins: how long the room has been quiet
 * (shared, reset by any post) and how long this agent has gone without receiving
 * anything (covers a room with no messages at all). A closed room always exits;
 * `maxIdleSeconds` 0 turns the idle bound off. Answers the `poll_budget` object of
 * every poll answer (seconds, one decimal).
 */
export function pollBudget(
  waitedSeconds: number,
  roomQuietSeconds: number | null,
  maxIdleSeconds: number,
  closed: boolean,
) {
  const waited = round1(Math.max(0, waitedSeconds || 0));
  const quiet = round1(Math.max(0, roomQuietSeconds ?? 0));
  const idle = Math.max(waited, quiet);
  let reason: ExitReason = null;
  if (closed) reason = 'room_closed';
  else if (maxIdleSeconds > 0 && idle >= maxIdleSeconds) reason = 'idle_timeout';
  return {
    waited_seconds: waited,
    room_quiet_seconds: quiet,
    idle_seconds: idle,
    max_idle_seconds: maxIdleSeconds,
    seconds_left: maxIdleSeconds > 0 ? round1(Math.max(0, maxIdleSeconds - idle)) : null,
    should_exit: reason !== null,
    reason,
  };
}

/**
 * The moment (epoch ms) the idle bound trips for a reader whose dry stretch began
 * at `dryFromMs` in a room last posted in at `lastPostMs` (null: never): the earlier
 * of the two clocks plus the bound, and 1 ms more so the budget, rounded to a tenth
 * of a second, already says so. Infinity when the bound is off (0).
 */
export function idleTripsAt(dryFromMs: number, lastPostMs: number | null, maxIdleSeconds: number): number {
  if (maxIdleSeconds <= 0) return Number.POSITIVE_INFINITY;
  return Math.min(dryFromMs, lastPostMs ?? Number.POSITIVE_INFINITY) + maxIdleSeconds * 1000 + 1;
}
