import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateDecision } from './limiter.js';

/**
 * Counts one post against `key`. A refusal gives its point straight back, so only
 * accepted posts count, and says how long until a slot frees. No limiter: no limit.
 */
export async function consumeOne(limiter: RateLimiterAbstract | null, key: string): Promise<RateDecision> {
  if (!limiter) return { ok: true };
  try {
    await limiter.consume(key);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof RateLimiterRes)) throw e;
    await limiter.reward(key);
    return { ok: false, retryAfterMs: e.msBeforeNext };
  }
}

/** The first hold of an address lasts a minute; each further hold within a day doubles it, up to an hour. */
export function holdSeconds(holdsToday: number): number {
  return Math.min(3600, 60 * 2 ** Math.max(0, holdsToday - 1));
}

/** The two counters behind failed sign-ins: failures per minute, and holds per day. */
export interface FailureCounters {
  /** `max` points a minute per address. */
  failures: RateLimiterAbstract;
  /** Holds per address, counted over a day. */
  holds: RateLimiterAbstract;
  max: number;
}

/**
 * Counts a failed sign-in from `address`. Within `max` a minute it is let through
 * (the caller answers 401); the one that crosses the line starts a hold of
 * holdSeconds() and every failure during a hold is refused with the time left.
 */
export async function countFailure(c: FailureCounters | null, address: string): Promise<RateDecision> {
  if (!c) return { ok: true };
  try {
    await c.failures.consume(address);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof RateLimiterRes)) throw e;
    if (e.consumedPoints !== c.max + 1) return { ok: false, retryAfterMs: e.msBeforeNext };
    const held = await c.holds.consume(address);
    const seconds = holdSeconds(held.consumedPoints);
    await c.failures.block(address, seconds);
    return { ok: false, retryAfterMs: seconds * 1000 };
  }
}
