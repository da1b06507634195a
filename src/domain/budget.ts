import { round1 } from './time.js';

/** What every poll answer says about whether the agent should keep waiting. */
export interface PollBudget {
  waited_seconds: number;
  room_quiet_seconds: number;
  idle_seconds: number;
  max_idle_seconds: number;
  seconds_left: number | null;
  should_exit: boolean;
  reason: 'room_closed' | 'idle_timeout' | null;
}

/**
 * The safety valve. Two clocks, the larger wins: how long the room has been quiet
 * (shared, reset by any post) and how long this agent has gone without receiving
 * anything (covers a room with no messages at all). A closed room always exits;
 * `maxIdleSeconds` 0 turns the idle bound off.
 */
export function pollBudget(
  waitedSeconds: number,
  roomQuietSeconds: number | null,
  maxIdleSeconds: number,
  closed: boolean,
): PollBudget {
  const waited = round1(Math.max(0, waitedSeconds || 0));
  const quiet = round1(Math.max(0, roomQuietSeconds ?? 0));
  const idle = Math.max(waited, quiet);
  let reason: PollBudget['reason'] = null;
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
