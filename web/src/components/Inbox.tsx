import { duration } from '../format';
import type { WaitingRow } from '../types';

/** Whom an open question is addressed to, as the operator reads it: a name that is no member is nobody. */
export function addressee(w: WaitingRow): string {
  return w.waits_on === 'nobody' ? `no such agent: ${w.expects_reply_resolved}` : w.expects_reply_resolved;
}

/**
 * "Waiting on you": the questions that wait on the operator (the bridge's `inbox`:
 * agents' questions addressed to an operator name, open questions the operator may
 * answer, and agents' questions addressed to nobody; never the operator's own),
 * longest first; absent when there is none.
 */
export function Inbox(props: { rows: WaitingRow[]; now: number; fetchedAt: number; onOpen: (room: string) => void }) {
  if (props.rows.length === 0) return null;
  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <h2 id="inbox-title">
        Waiting on you <span class="count">{props.rows.length}</span>
      </h2>
      <ul>
        {props.rows.map((w) => {
          // The bridge's figure at fetch time, kept running by this browser's clock.
          const waited = w.waiting_seconds + (props.now - props.fetchedAt) / 1000;
          return (
            <li key={`${w.room}#${w.seq}`}>
              <button
                type="button"
                class={`inbox-row${waited > 300 ? ' late' : ''}`}
                onClick={() => props.onOpen(w.room)}
                aria-label={`${w.from} in ${w.room} asked ${w.waits_on === 'nobody' ? `nobody (${addressee(w)})` : addressee(w)}: ${w.text}. Waiting ${duration(waited)}. Open the room.`}
              >
                <span class="who">{w.from}</span>
                <span class="where">
                  #{w.room}
                  {w.waits_on === 'nobody' && <span class="badge nobody">{addressee(w)}</span>}
                </span>
                <span class="what">{w.text}</span>
                <span class="timer">
                  {duration(waited)}
                  {w.claimed_by && <span class="badge">claimed by {w.claimed_by}</span>}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
