/**
 * Tickets: short-lived, single-use stand-ins for a code where a client cannot send
 * a header (a browser's EventSource). A ticket is kept under its hash; its value
 * (what it stands for) is given back once, then forgotten.
 */
export interface Tickets {
  /** Keeps `value` under the ticket's hash for `ttlMs`. */
  issue(ticketHash: string, value: string, ttlMs: number): Promise<void>;
  /** The value of a ticket (by hash), forgotten as it is returned; null when unknown, used or expired. */
  redeem(ticketHash: string): Promise<string | null>;
}
