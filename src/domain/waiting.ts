import { ANYONE, NONE, OPERATOR, resolveExpects } from './expects.js';
import type { StoredMessage } from './message.js';
import { nobodyAnswers } from './recipients.js';
import { secondsBetween } from './time.js';

/**
 * Whom an open question waits on:
 * - `operator`: the human (it expects an operator name, or it is an open question the
 *   operator may answer; see `waitsOn`);
 * - `agent`: an agent that is a member of the room;
 * - `nobody`: a name nobody will answer to (`nobodyAnswers`, domain/recipients.ts, the
 *   rule a post's warnings use): no member of the room and not `operator` (a typo such
 *   as `everyone`, or an agent that never joined: nobody answers until an agent of
 *   that name joins), or a reserved word such as `all` (nobody ever will).
 */
export type WaitsOn = 'operator' | 'agent' | 'nobody';

/** One open question: the message, whom it waits on, and for how long. */
export interface OpenQuestion {
  message: StoredMessage;
  /** expects_reply as resolved at read time (`anyone` narrowed to the only other member). */
  resolved: string;
  waitingSeconds: number;
  waitsOn: WaitsOn;
  /** Asked under an operator name (the operator's own question). */
  askedByOperator: boolean;
}

/** What the open questions are computed from; all of it plain data. */
export interface WaitingInput {
  /** Messages whose stored expects_reply is not `none`, in rooms that are open. */
  questions: StoredMessage[];
  /** Per room, the highest seq each sender has posted. */
  lastSeqBySender: Map<string, Map<string, number>>;
  /** Per room, durable membership (code holders and senders). */
  membersByRoom: Map<string, Set<string>>;
  /** Per room, the names the operator has posted under (besides `operator`, which counts everywhere). */
  operatorsByRoom?: Map<string, Set<string>>;
  /**
   * Per room, every name that holds a code there, live or expired: such a name is an
   * agent's, never an operator name, even when the operator once posted under it.
   */
  codeHoldersByRoom?: Map<string, Set<string>>;
  /** Rooms that are closed; their questions are left out. */
  closedRooms: Set<string>;
  nowMs: number;
}

/** The three views of the open questions /admin/state gives (each longest wait first, at most `limit`). */
export interface OperatorViews {
  /**
   * SPEC §5 `waiting`, exactly as the original computes it: every open question except
   * those sent as `operator` (a question posted under another operator name stays, as
   * it did there; `inbox` and `asked` are the views that know about operator names).
   */
  waiting: OpenQuestion[];
  /**
   * What waits on the operator: agents' questions with waitsOn `operator`, and agents'
   * questions addressed to nobody (the operator must step in). Never the operator's own.
   */
  inbox: OpenQuestion[];
  /**
   * The operator's own open questions (asked under any operator name), whomever they
   * wait on, `nobody` included. Each open question is in exactly one of inbox and asked,
   * or in neither (agents' questions to each other).
   */
  asked: OpenQuestion[];
}

/**
 * True when `name` is an operator name of a room: `operator` always; otherwise a name
 * the operator posted under there (`posted`, from POST /admin/say) that holds no code
 * in the room, live or expired (`holders`). A code holder is an agent: the operator
 * posting as `al` (`argybargy post --as al`) must not make the agent al an operator,
 * and neither does a mark left from before al's code was minted.
 */
export function isOperatorName(
  name: string,
  posted: ReadonlySet<string> | undefined,
  holders: ReadonlySet<string> | undefined,
): boolean {
  if (name === OPERATOR) return true;
  return (posted?.has(name) ?? false) && !(holders?.has(name) ?? false);
}

function operatorIn(name: string, room: string, input: WaitingInput): boolean {
  return isOperatorName(name, input.operatorsByRoom?.get(room), input.codeHoldersByRoom?.get(room));
}

/**
 * Whom a question waits on, given its resolved expects_reply `target`.
 * A name waits on nobody when nobody answers to it (`nobodyAnswers`), else on the
 * operator when it is an operator name, else on the agent. `anyone` (still open after narrowing): once claimed, on the
 * claimer; asked by the operator, on the agents; else on the operator when an operator
 * name is a member of the room other than the asker (the operator is then one of the
 * possible answerers, as `expects_reply_resolved` counts members) or when the asker has
 * nobody else to ask, and otherwise on the agents, who claim it.
 */
export function waitsOn(q: StoredMessage, target: string, input: WaitingInput): WaitsOn {
  const members = input.membersByRoom.get(q.room) ?? new Set<string>();
  if (target !== ANYONE) {
    // The same rule as a post's warnings (domain/recipients.ts), so both agree on every name.
    if (nobodyAnswers(target, members)) return 'nobody';
    return operatorIn(target, q.room, input) ? 'operator' : 'agent';
  }
  if (q.claimed_by) return operatorIn(q.claimed_by, q.room, input) ? 'operator' : 'agent';
  if (operatorIn(q.from, q.room, input)) return 'agent';
  let others = 0;
  for (const m of members) {
    if (m === q.from) continue;
    if (operatorIn(m, q.room, input)) return 'operator';
    others++;
  }
  return others === 0 ? 'operator' : 'agent';
}

/**
 * Every question still owed an answer, longest wait first (ties: room, then seq).
 * A question is answered when the party it addressed (for `anyone`: any participant
 * but the asker) posts in that room after it, or once a reply settled it
 * (`answered_by`, domain/answers.ts). A claim is not an answer.
 */
export function openQuestions(input: WaitingInput): OpenQuestion[] {
  const out: OpenQuestion[] = [];
  for (const q of input.questions) {
    if (input.closedRooms.has(q.room)) continue;
    if (q.answered_by !== null) continue;
    const target = resolveExpects(q.expects_reply || NONE, q.from, input.membersByRoom.get(q.room) ?? []);
    if (target === '' || target === NONE) continue;
    const replies = input.lastSeqBySender.get(q.room);
    let answered = false;
    if (replies) {
      if (target === ANYONE) {
        for (const [name, seq] of replies) {
          if (name !== q.from && seq > q.seq) {
            answered = true;
            break;
          }
        }
      } else {
        answered = (replies.get(target) ?? 0) > q.seq;
      }
    }
    if (answered) continue;
    out.push({
      message: q,
      resolved: target,
      waitingSeconds: secondsBetween(q.at, input.nowMs),
      waitsOn: waitsOn(q, target, input),
      askedByOperator: operatorIn(q.from, q.room, input),
    });
  }
  out.sort(
    (a, b) =>
      b.waitingSeconds - a.waitingSeconds || cmp(a.message.room, b.message.room) || a.message.seq - b.message.seq,
  );
  return out;
}

/** Splits the open questions into the operator's views, keeping the `limit` longest waits of each (0 = all). */
export function operatorViews(input: WaitingInput, limit = 50): OperatorViews {
  const all = openQuestions(input);
  const cut = (rows: OpenQuestion[]) => (limit > 0 ? rows.slice(0, limit) : rows);
  return {
    waiting: cut(all.filter((q) => q.message.from !== OPERATOR)),
    inbox: cut(all.filter((q) => !q.askedByOperator && (q.waitsOn === 'nobody' || q.waitsOn === 'operator'))),
    asked: cut(all.filter((q) => q.askedByOperator)),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
