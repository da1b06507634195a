import { BROADCAST } from './expects.js';

/** The addressing of a message: who sent it and to whom (`all` or one name). */
export interface Addressed {
  from: string;
  to: string;
}

/**
 * True when `reader` may see `m`: a broadcast, or a direct message to or from the
 * reader. The one statement of the rule in TypeScript; the SQL backends say the same
 * in their WHERE clauses (`recipient = 'all' OR recipient = ? OR sender = ?`).
 */
export function visibleTo(m: Addressed, reader: string): boolean {
  return m.to === BROADCAST || m.to === reader || m.from === reader;
}

/** True when `m` is delivered to `reader`: visible to it and not its own (nobody receives what it sent). */
export function deliveredTo(m: Addressed, reader: string): boolean {
  return m.from !== reader && visibleTo(m, reader);
}
