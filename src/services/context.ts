import type { Config } from '../config.js';
import type { Live } from '../live/live.js';
import type { Telemetry } from '../metrics.js';
import type { Store } from '../store/store.js';

/** Where the operator's admin token lives (a file, or the database in cluster mode) and how it is replaced. */
export interface AdminTokens {
  /** The token in force now. */
  current(): Promise<string>;
  /** Replaces the token; the old one stops working at once. */
  rotate(): Promise<string>;
}

/** Everything the services need, handed in (app/compose.ts builds it) so tests can build as many as they like. */
export interface ServiceContext {
  config: Config;
  store: Store;
  live: Live;
  adminTokens: AdminTokens;
  /** The public URL saved by a tunnel, or null. */
  publicUrl: () => string | null;
  /** The clock, epoch ms. */
  now: () => number;
  version: string;
  /** When this process started, epoch ms. */
  startedAt: number;
  /** Where counts of posts, deliveries, wake-ups and refusals go (metrics). */
  telemetry: Telemetry;
}

/** The caller of an agent endpoint, resolved from its code. */
export interface Agent {
  name: string;
  room: string;
  capabilities: string;
  /** The hash of the code it authenticated with: long readers check it again on a revocation. */
  codeHash: string;
  /** When that code expires (epoch ms), or null. */
  expiresAt: number | null;
  /** The node's access epoch when the code was checked (Wakeups.accessEpoch). */
  checkedAt: number;
}
