import type { Config } from './config.js';
import type { Live } from './live/live.js';
import type { Telemetry } from './metrics.js';
import type { Store } from './store/store.js';

/** Where the admin token lives: a file in embedded mode. */
export interface AdminTokens {
  current(): Promise<string>;
  /** Replaces the token; the old one stops working at once. */
  rotate(): Promise<string>;
}

/** Everything the bridge service needs, handed in so tests can build as many as they like. */
export interface BridgeContext {
  config: Config;
  store: Store;
  live: Live;
  adminTokens: AdminTokens;
  /** The public URL saved by a tunnel, or null. */
  publicUrl: () => string | null;
  now: () => number;
  version: string;
  startedAt: number;
  /** Where counts of posts, deliveries, wake-ups and refusals go (metrics). */
  telemetry: Telemetry;
}
