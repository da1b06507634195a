/**
 * Reading the numbers of ARGYBARGY_* variables the way the original (Python) read
 * them, with `int()`: surrounding whitespace, a `+` or `-` sign, digits of any script
 * (ASCII or, say, Arabic-Indic) and single underscores between digits (`1_000`), of any
 * size. Pure functions: no environment, no clock.
 */

const DECIMAL = /^\p{Nd}$/u;

/**
 * The value 0..9 of a Unicode decimal digit. Unicode encodes every decimal digit in
 * runs of ten contiguous code points from 0 to 9, so within a block of adjacent
 * digits the value is the distance from the block's start, modulo 10.
 */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0) as number;
  let start = cp;
  while (start > 0 && DECIMAL.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Digits with single underscores between them, as ASCII digits ("١_٢" → "12"), or null. */
function digits(text: string): string | null {
  if (text === '' || text.startsWith('_') || text.endsWith('_') || text.includes('__')) return null;
  let out = '';
  for (const ch of text) {
    if (ch === '_') continue;
    if (!DECIMAL.test(ch)) return null;
    out += String(digitValue(ch));
  }
  return out;
}

/** A sign, then digits; `signed[0]` is '-' or ''. */
function signed(text: string): [string, string] | null {
  const sign = text.startsWith('-') ? '-' : '';
  const d = digits(text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text);
  return d === null ? null : [sign, d];
}

/**
 * What Python's `int(text)` makes of `text`, as a BigInt (any size), or null where
 * `int()` raises ValueError: "+5", " 7 ", "1_000", "-3" and "007" are whole numbers;
 * "1.5", "1e3", "0x10", "1__0", "_1" and "" are not.
 */
export function parsePythonInt(text: string): bigint | null {
  const s = signed(text.trim());
  return s === null ? null : BigInt(s[0] + s[1]);
}

/**
 * A number of seconds: what `parsePythonInt` accepts, or such a number with a
 * fraction ("2.5", "0.25"; the original took whole seconds only), or null. Values
 * too large for a float come back as Infinity.
 */
export function parseSeconds(text: string): number | null {
  const parts = text.trim().split('.');
  if (parts.length > 2) return null;
  const whole = signed(parts[0]);
  const fraction = parts.length === 2 ? digits(parts[1]) : '0';
  if (whole === null || fraction === null) return null;
  return Number(`${whole[0]}${whole[1]}.${fraction}`);
}

/** Where a setting's number must lie, and what happens above the top. */
export interface IntRange {
  /** The smallest meaningful value; below it is refused. */
  min: number;
  /** The largest value used. */
  max: number;
  /**
   * true: a larger value means `max` (a limit set very high, "no limit in
   * practice"); false: a larger value is refused (a port number).
   */
  clamp: boolean;
}

/** The outcome of reading one setting: its value, or why it was refused. */
export type Parsed = { ok: true; value: number } | { ok: false; why: 'not-a-number' | 'below' | 'above' };

/** Reads a whole-number setting with Python `int()` syntax and applies `range`. */
export function readInt(text: string, range: IntRange): Parsed {
  const n = parsePythonInt(text);
  if (n === null) return { ok: false, why: 'not-a-number' };
  if (n < BigInt(range.min)) return { ok: false, why: 'below' };
  if (n > BigInt(range.max)) return range.clamp ? { ok: true, value: range.max } : { ok: false, why: 'above' };
  return { ok: true, value: Number(n) };
}

/** Reads a seconds setting (above 0, fractions allowed); a larger value than `max` means `max`. */
export function readSeconds(text: string, max: number): Parsed {
  const n = parseSeconds(text);
  if (n === null) return { ok: false, why: 'not-a-number' };
  if (!(n > 0)) return { ok: false, why: 'below' };
  return { ok: true, value: Math.min(n, max) };
}
