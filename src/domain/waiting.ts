import { ANYONE, NONE, resolveExpects } from './expects.js';
import type { StoredMessage } from './message.js';
import { secondsBetween } from './time.js';

/** One question of the operator inbox: the message, whom it waits on, and for how long. */
export interface OpenQuestion {
  message: StoredMessage;
  /** expects_reply as resolved at read time (`anyone` narrowed to the only other member). */
  resolved: string;
  waitingSeconds: number;
}

/** What the waiting list is computed from; all of it plain data. */
export interface WaitingInput {
  /** Messages whose stored expects_reply is not `none`, in rooms that are open. */
  questions: StoredMessage[];
  /** Per room, the highest seq each sender has posted. */
  lastSeqBySender: Map<string, Map<string, number>>;
  /** Per room, durable membership (code holders and senders). */
  membersByRoom: Map<string, Set<string>>;
  /** Rooms that are closed; their questions are left out. */
  closedRooms: Set<string>;
  nowMs: number;
  /** At most this many rows, longest waits kept; 0 = all. */
  limit?: number;
  /** Names of the humans; questions they asked are not waiting on them. */
  operators?: readonly string[];
}

/**
 * The operator inbox: every question still owed an answer, longest wait first.
 * A question is answered once a reply settled it (`answered_by`, domain/answers.ts),
 * or when the party it addressed (for `anyone`: any participant but the asker)
 * posts in that room after it. A claim is not an answer.
 */
export function openQuestions(input: WaitingInput): OpenQuestion[] {
  const operators = input.operators ?? ['operator'];
  const out: OpenQuestion[] = [];
  for (const q of input.questions) {
    if (input.closedRooms.has(q.room)) continue;
    if (operators.includes(q.from)) continue;
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
    out.push({ message: q, resolved: target, waitingSeconds: secondsBetween(q.at, input.nowMs) });
  }
  out.sort(
    (a, b) =>
      b.waitingSeconds - a.waitingSeconds || cmp(a.message.room, b.message.room) || a.message.seq - b.message.seq,
  );
  const limit = input.limit ?? 50;
  return limit > 0 ? out.slice(0, limit) : out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
