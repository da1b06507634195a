import { InvalidInput } from './errors.js';

const UNIT_MS: Array<[RegExp, number]> = [
  [/^(mo|mon|month|months)$/, 30 * 86_400_000],
  [/^(w|wk|wks|week|weeks)$/, 7 * 86_400_000],
  [/^(d|day|days)$/, 86_400_000],
  [/^(h|hr|hrs|hour|hours)$/, 3_600_000],
  [/^(m|min|mins|minute|minutes)$/, 60_000],
];

/** The longest lifetime a code may be given (ten years). */
const MAX_LIFETIME_MS = 3650 * 86_400_000;

/**
 * Parses a code lifetime (`10m`, `1h`, `1d`, `1w`, `1mo`, a bare number of hours,
 * or `never`/`none`/empty/`0`) into an absolute deadline in epoch ms, or null for
 * no expiry. Throws InvalidInput (field `expires`) on anything else.
 */
export function parseExpires(input: string | number | null | undefined, nowMs: number): number | null {
  if (input === null || input === undefined) return null;
  const s = String(input).trim().toLowerCase();
  if (s === '' || s === 'never' || s === 'none' || s === '0') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(s);
  if (!m) throw new InvalidInput('expires', help(s));
  const n = Number(m[1]);
  const unit = m[2] === '' ? 'h' : m[2];
  const per = UNIT_MS.find(([re]) => re.test(unit))?.[1];
  if (per === undefined || !(n > 0)) throw new InvalidInput('expires', help(s));
  const ms = n * per;
  if (ms > MAX_LIFETIME_MS)
    throw new InvalidInput('expires', `expires '${s}' is longer than ten years; use 'never' instead.`);
  return nowMs + Math.round(ms);
}

function help(s: string): string {
  return `Could not read expires '${s}'. Use 10m, 30m, 1h, 12h, 1d, 1w, 1mo, a number of hours, or 'never'.`;
}
