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

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/i;

/**
 * Parses an ISO-8601 date-time as Python's `datetime.isoformat()` writes it
 * (`2026-11-29T17:16:30+00:00`, with optional fraction, `Z` or any offset) to epoch
 * ms; a fraction below a millisecond is dropped, and a time without an offset is
 * UTC (what the original argybargy 1.0 wrote). Years 0001–9999 are taken as written.
 * Null for anything else, including impossible dates such as February 30.
 */
export function parseIsoMs(s: string): number | null {
  const m = ISO_DATE_TIME.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return null;
  // Not Date.UTC: it reads years 0–99 as 1900–1999 (so Python's datetime.min,
  // 0001-01-01, would become 1901). setUTCFullYear takes the year as it is.
  const at = new Date(0);
  at.setUTCFullYear(y, mo - 1, d);
  at.setUTCHours(h, mi, sec, ms);
  const local = at.getTime();
  // February 30 rolls over into March: refuse what does not round-trip.
  if (at.getUTCDate() !== d) return null;
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return local - offsetMin * 60_000;
}
