// Types for scripts/freshness.mjs (plain JavaScript, so `npm start` runs it with node alone).
export const INPUTS: string[];
export const OUTPUTS: string[];
export const STAMP: string;
export function sourceDigest(root: string): string;
export interface BuildState {
  digest: string;
  stamp: string | null;
  missing: string[];
}
export function decide(state: BuildState): { build: boolean; reason: string };
export function readState(root: string): BuildState;
