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
