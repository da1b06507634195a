import { duration } from '../format';
import type { WaitingRow } from '../types';

/** "Waiting on you": every unanswered question, longest first; absent when there is none. */
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
                aria-label={`${w.from} in ${w.room} asked: ${w.text}. Waiting ${duration(waited)}. Open the room.`}
              >
                <span class="who">{w.from}</span>
                <span class="where">#{w.room}</span>
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
