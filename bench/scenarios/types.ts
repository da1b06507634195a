import type { Target } from '../lib/target.js';

/** How a scenario is run: quick or full, and what it runs against. */
export interface RunOptions {
  quick: boolean;
  /** A few seconds in all, to prove the harness works (npm test runs it); the figures mean nothing. */
  smoke?: boolean;
  /** Starts a fresh target with these ARGYBARGY_* overrides. */
  target(env?: Record<string, string>): Promise<Target>;
}
