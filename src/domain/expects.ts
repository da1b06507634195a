/** The addressee of a broadcast. */
export const BROADCAST = 'all';
/** Nobody is expected to reply. */
export const NONE = 'none';
/** An open question: any member may claim it. */
export const ANYONE = 'anyone';
/** The operator's default name: always a name of the human, in every room. */
export const OPERATOR = 'operator';

/** The stored expects_reply: the given value, or by default `none` for a broadcast and the recipient for a DM. */
export function defaultExpects(to: string, expects: string | null | undefined): string {
  const given = (expects ?? '').trim();
  if (given !== '') return given;
  return to === BROADCAST ? NONE : to;
}

/**
 * The read-time expects_reply: `anyone` narrows to a name when exactly one member
 * other than the sender could answer. Members are durable (code holders and
 * senders), never presence, so a quiet agent still counts.
 */
export function resolveExpects(expects: string, sender: string, members: Iterable<string>): string {
  if (expects !== ANYONE) return expects;
  let only: string | null = null;
  for (const m of members) {
    if (!m || m === sender || m === only) continue;
    if (only !== null) return ANYONE;
    only = m;
  }
  return only ?? ANYONE;
}
