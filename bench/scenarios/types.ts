import type { Target } from '../lib/target.js';

/** How a scenario is run: quick or full, and what it runs against. */
export interface RunOptions {
  quick: boolean;
  /** Starts a fresh target with these ARGYBARGY_* overrides. */
  target(env?: Record<string, string>): Promise<Target>;
}
