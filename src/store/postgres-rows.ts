import { Unavailable } from '../domain/errors.js';
import { messageMapper } from './rows.js';

/** Rows as PostgreSQL returns them, their records, and what the database cannot hold. */

/** Errors that mean "the database is not there right now", not "the query is wrong". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

function unreachable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (err?.code && UNREACHABLE.has(err.code)) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    err?.message ?? '',
  );
}

/** What to throw for a failed query: Unavailable when the database cannot be reached, else the error itself. */
export function queryFailure(e: unknown): unknown {
  return unreachable(e) ? new Unavailable('store', 'The database is unreachable right now. Try again in a moment.') : e;
}

/** A message row as stored by PostgreSQL, its text decoded. */
export const toPgMessage = messageMapper(decodeText);

// PostgreSQL text cannot hold U+0000, which a message may. Texts that contain it (or
// that begin with the marker) are stored marked and escaped; every other text is
// stored as it is.
const MARK = '\u0001';

/** The text as stored: unchanged unless it holds U+0000 or starts with the marker. */
export function encodeText(t: string): string {
  if (!t.includes('\u0000') && !t.startsWith(MARK)) return t;
  return MARK + t.replaceAll(MARK, MARK + MARK).replaceAll('\u0000', `${MARK}0`);
}

/** The text as sent, from what encodeText stored. */
export function decodeText(s: string): string {
  if (!s.startsWith(MARK)) return s;
  let out = '';
  for (let i = 1; i < s.length; i++) {
    if (s[i] === MARK && i + 1 < s.length) {
      out += s[i + 1] === MARK ? MARK : '\u0000';
      i++;
    } else out += s[i];
  }
  return out;
}
