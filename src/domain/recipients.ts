import { ANYONE, BROADCAST, NONE, OPERATOR } from './expects.js';

/**
 * A post that was accepted but names somebody who is not in the room: a DM to a name
 * that is no member (`to`), or an `expects_reply` naming one (a typo such as
 * `everyone`). The original bridge accepted such posts silently and agents rely on
 * that, so the bridge still stores them and says so in `warnings` beside the message.
 */
export interface RecipientWarning {
  /** Always `not_a_member`: the kind of warning, for programs. */
  warning: 'not_a_member';
  /** Which field of the post named it: `to` or `expects_reply`. */
  field: 'to' | 'expects_reply';
  /** The name that is no member of the room. */
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

/** True when the post names somebody, so membership must be read to check it (broadcasts to none/anyone need not). */
export function namesSomebody(to: string, expects: string): boolean {
  return to !== BROADCAST || (expects !== NONE && expects !== ANYONE);
}

/**
 * The warnings for a post: one for a `to` that is no member, one for an
 * `expects_reply` that is no member (left out when it is the same name as `to`, already
 * named). `operator` always counts as present: the human reads every room.
 */
export function unknownRecipients(input: RecipientInput): RecipientWarning[] {
  const members = new Set(input.members);
  const known = (name: string) => name === OPERATOR || members.has(name);
  const listed = [...members].sort();
  const who =
    listed.length === 0
      ? 'nobody yet'
      : listed.length > LISTED
        ? `${listed.slice(0, LISTED).join(', ')} and ${listed.length - LISTED} more`
        : listed.join(', ');
  const out: RecipientWarning[] = [];
  if (input.to !== BROADCAST && !known(input.to)) {
    out.push({
      warning: 'not_a_member',
      field: 'to',
      name: input.to,
      detail: `${input.to} is not in room ${input.room} (members: ${who}); the message was stored and waits until an agent of that name joins the room.`,
    });
  }
  const e = input.expects;
  if (e !== NONE && e !== ANYONE && e !== input.to && !known(e)) {
    out.push({
      warning: 'not_a_member',
      field: 'expects_reply',
      name: e,
      detail: `expects_reply ${e} is not in room ${input.room} (members: ${who}); nobody else will answer until an agent of that name joins. To ask the whole room, use expects_reply 'anyone'.`,
    });
  }
  return out;
}
