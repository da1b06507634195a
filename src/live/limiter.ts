/** The limiter's answer: go ahead, or wait `retryAfterMs` milliseconds for a slot. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * The per-agent posting limit (ARGYBARGY_RATE_MAX posts per ARGYBARGY_RATE_WINDOW
 * seconds). Only accepted posts count: a refusal costs nothing, and a post refused
 * later for another reason is given back with `refund`.
 */
export interface Limiter {
  /** Counts one post by `name` in `room`; refuses with the time until a slot frees when over the limit. */
  consume(room: string, name: string): Promise<RateDecision>;
  /** Gives back a post counted by `consume` that was then refused for another reason. */
  refund(room: string, name: string): Promise<void>;
}
