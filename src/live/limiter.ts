/** The limiter's answer: go ahead, or wait `retryAfterMs` milliseconds for a slot. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * The limits live state keeps: posts per agent (ARGYBARGY_RATE_MAX per
 * ARGYBARGY_RATE_WINDOW seconds; only accepted posts count: a refusal costs nothing,
 * and a post refused later for another reason is given back with `refund`), and
 * failed sign-ins per client address.
 */
export interface Limiter {
  /** Counts one post by `name` in `room`; refuses with the time until a slot frees when over the limit. */
  consume(room: string, name: string): Promise<RateDecision>;
  /** Gives back a post counted by `consume` that was then refused for another reason. */
  refund(room: string, name: string): Promise<void>;
  /**
   * Counts a failed sign-in from a client address (ARGYBARGY_AUTH_FAILURES a minute);
   * refuses, with the time left, while the address is held back for failing too often.
   */
  authFailure(address: string): Promise<RateDecision>;
}

/** What the limiters count. */
export interface LimiterOptions {
  /** Posts per agent per window; 0 = no limit. */
  rateMax: number;
  rateWindowSeconds: number;
  /** Failed sign-ins per address per minute before a hold; 0 = no limit. */
  authFailuresPerMinute: number;
}
