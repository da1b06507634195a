/**
 * Cancels: requests an agent's client cancelled, remembered for a short while, so a
 * wait parked on any node learns that its request was cancelled when the notice
 * reached another node (MCP's notifications/cancelled arrives as a request of its own).
 */
export interface Cancels {
  /** Records that request `req` of agent `key` (agentKey) was cancelled at `atMs` (epoch ms); forgotten after `ttlMs`. */
  add(key: string, req: string, atMs: number, ttlMs: number): Promise<void>;
  /** When request `req` of agent `key` was last cancelled (epoch ms), or null. */
  when(key: string, req: string): Promise<number | null>;
}
