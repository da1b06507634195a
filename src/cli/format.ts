import type { PostAnswer, PostWarning } from '../wire/messages.js';
import { CliError, type CliIO } from './io.js';

/** ANSI styling that switches itself off without a terminal or with NO_COLOR set. */
export function styles(io: CliIO) {
  const on = io.isTTY === true && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb';
  const wrap = (code: string) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), cyan: wrap('36') };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters
const ANSI = /\u001b\[[0-9;]*m/g;
const width = (s: string) => [...s.replace(ANSI, '')].length;

/** Renders rows as a plain aligned table with a header line. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - width(c))))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** "3s", "4m", "2h", "5d" for an age in seconds; "-" for none. */
export function ago(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Shortens text to one line of at most `max` characters. */
export function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

/** Writes JSON (pretty) to stdout. */
export function printJson(io: CliIO, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes each warning of a post answer to stderr, one line each (an older bridge sends none). */
export function printWarnings(io: CliIO, warnings: PostWarning[] | undefined): void {
  for (const w of warnings ?? []) io.stderr(`warning: ${w.detail}\n`);
}

/**
 * `send --json` and `post --json`: the stored message as JSON, every field where it
 * always was (scripts read `.seq`), plus `warnings`, the answer's warnings (`[]` when
 * none or from an older bridge). The warnings also go to stderr, as without --json.
 */
export function printPostedJson(io: CliIO, res: PostAnswer): void {
  printJson(io, { ...res.message, warnings: res.warnings ?? [] });
}

/**
 * The value of `--reply-to`: a seq as a number (undefined when not given). Anything else
 * throws a usage CliError naming the option, before the bridge is asked.
 */
export function replyToOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new CliError(
      `argybargy: --reply-to must be the seq of a message (a whole number from 1), not '${value.slice(0, 40)}'.`,
      2,
    );
  }
  return n;
}

/** ` in reply to #N` for a reply, nothing otherwise. */
export function replyNote(replyTo: number | null | undefined): string {
  return replyTo == null ? '' : ` in reply to #${replyTo}`;
}

/**
 * The value of `--claim-lease`: whole seconds a claim on the question holds (0: until
 * answered), undefined when not given. Anything else throws a usage CliError naming
 * the option, before the bridge is asked (which checks the upper bound).
 */
export function claimLeaseOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,10}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new CliError(
      `argybargy: --claim-lease must be whole seconds (0: the claim holds until answered), not '${value.slice(0, 40)}'.`,
      2,
    );
  }
  return n;
}
