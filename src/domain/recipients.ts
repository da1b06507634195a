import { ANYONE, BROADCAST, NONE, OPERATOR } from './expects.js';
import { isReservedName } from './names.js';

/**
 * A post that was accepted but names somebody who will never answer or read it: a DM
 * to a name that is no member (`to`), an `expects_reply` naming one (a typo such as
 * `everyone`), or either naming a reserved word (`all` as an expects_reply, `anyone` or
 * `none` as a recipient). The original bridge accepted such posts silently and agents
 * rely on that, so the bridge still stores them and says so in `warnings` beside the
 * message.
 */
export interface RecipientWarning {
  /**
   * The kind of warning, for programs: `not_a_member` (no agent of that name is in the
   * room yet; one may join) or `reserved_name` (`all`, `anyone` or `none` in a place
   * where it is no address, so no agent can ever have it).
   */
  warning: 'not_a_member' | 'reserved_name';
  /** Which field of the post named it: `to` or `expects_reply`. */
  field: 'to' | 'expects_reply';
  /** The name nobody answers to. */
  name: string;
  /** A sentence for the sender: who is in the room and what happens to the message. */
  detail: string;
}

/** What the check needs; plain data. */
export interface RecipientInput {
  room: string;
  /** The stored `to`: `all` or a name. */
  to: string;
  /** The stored expects_reply (after defaults): `none`, `anyone` or a name. */
  expects: string;
  /** Durable membership of the room (live code holders and senders), the sender included. */
  members: Iterable<string>;
}

/** At most this many member names are listed in a detail sentence. */
const LISTED = 20;

/**
 * The one rule for "nobody will answer this name" in a room, used both by the
 * warnings of a post (here) and by the operator's views (`waits_on: "nobody"`,
 * domain/waiting.ts), so the two always agree. `name` is an addressee other than the
 * exact words `all` in `to` and `anyone`/`none` in expects_reply, which address the
 * room rather than a name. True for a reserved word (any case: no agent can be called
 * it) and for a name that is neither `operator` (the human reads every room) nor a
 * member (live code holders and senders; every other operator name has posted, so it
 * is a member).
 */
export function nobodyAnswers(name: string, members: ReadonlySet<string>): boolean {
  if (isReservedName(name)) return true;
  return name !== OPERATOR && !members.has(name);
}

/** True when the post names somebody, so membership must be read to check it (broadcasts to none/anyone need not). */
export function namesSomebody(to: string, expects: string): boolean {
  return to !== BROADCAST || (expects !== NONE && expects !== ANYONE);
}

/**
 * The warnings for a post: one for a `to` nobody answers to, one for an
 * `expects_reply` nobody answers to (left out when it is the same name as a `to`
 * already named). The rule is `nobodyAnswers`; a reserved word gets `reserved_name`.
 */
export function unknownRecipients(input: RecipientInput): RecipientWarning[] {
  const members = new Set(input.members);
  const listed = [...members].sort();
  const who =
    listed.length === 0
      ? 'nobody yet'
      : listed.length > LISTED
        ? `${listed.slice(0, LISTED).join(', ')} and ${listed.length - LISTED} more`
        : listed.join(', ');
  const out: RecipientWarning[] = [];
  const to = input.to;
  const toNamed = to !== BROADCAST && nobodyAnswers(to, members);
  if (toNamed) {
    out.push(
      isReservedName(to)
        ? {
            warning: 'reserved_name',
            field: 'to',
            name: to,
            detail: `${to} is a reserved word (all, anyone and none address messages), never an agent's name: this direct message reaches no agent, only the operator, who reads every room. To write to the whole room, use to 'all'.`,
          }
        : {
            warning: 'not_a_member',
            field: 'to',
            name: to,
            detail: `${to} is not in room ${input.room} (members: ${who}); the message was stored and waits until an agent of that name joins the room.`,
          },
    );
  }
  const e = input.expects;
  if (e !== NONE && e !== ANYONE && !(toNamed && e === to) && nobodyAnswers(e, members)) {
    out.push(
      isReservedName(e)
        ? {
            warning: 'reserved_name',
            field: 'expects_reply',
            name: e,
            detail: `expects_reply ${e} is a reserved word, never an agent's name, so nobody will answer. Use expects_reply 'anyone' to ask the whole room, 'none' to ask nobody, or a member's name (members: ${who}).`,
          }
        : {
            warning: 'not_a_member',
            field: 'expects_reply',
            name: e,
            detail: `expects_reply ${e} is not in room ${input.room} (members: ${who}); nobody else will answer until an agent of that name joins. To ask the whole room, use expects_reply 'anyone'.`,
          },
    );
  }
  return out;
}
