import { ago } from '../format';
import type { RosterRow, WaitingRow } from '../types';

type Doing = 'waiting' | 'working' | 'standing by' | 'offline';

/** What a member is doing: asked something unanswered, posted lately, or just online. */
function doing(m: RosterRow, room: string, waiting: WaitingRow[]): Doing {
  if (waiting.some((w) => w.room === room && w.from === m.name)) return 'waiting';
  if (m.last_message_seconds !== null && m.last_message_seconds < 120) return 'working';
  if (m.online) return 'standing by';
  return 'offline';
}

/** Every member of the room: code holders, senders and whoever is live. */
export function Roster(props: { room: string; members: RosterRow[]; waiting: WaitingRow[] }) {
  return (
    <section class="roster" aria-labelledby="roster-title">
      <h3 id="roster-title">In this room</h3>
      {props.members.length === 0 && <p class="muted small">Nobody yet. Mint a key for this room.</p>}
      <ul>
        {props.members.map((m) => {
          const d = doing(m, props.room, props.waiting);
          return (
            <li key={m.name} class={`member ${d.replace(' ', '-')}`}>
              <span class={`presence ${m.online ? 'on' : 'off'}`} aria-hidden="true" />
              <span class="member-name">{m.name}</span>
              <span class="member-doing">{d}</span>
              <span class="member-meta">
                {m.online ? 'online' : `seen ${ago(m.seconds_since_seen)}`}
                {m.capabilities && ` · ${m.capabilities}`}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
