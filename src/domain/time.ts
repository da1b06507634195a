/** Formats epoch milliseconds as ISO-8601 UTC with seconds precision (`2026-01-02T03:04:05+00:00`). */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** Seconds from `thenMs` to `nowMs`, one decimal, never negative. */
export function secondsBetween(thenMs: number, nowMs: number): number {
  return round1(Math.max(0, nowMs - thenMs) / 1000);
}

/** Rounds to one decimal place. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
