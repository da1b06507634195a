import { useState } from 'preact/hooks';
import { ago } from '../format';
import type { RoomRow } from '../types';

interface Props {
  rooms: RoomRow[];
  current: string | null;
  unread: (r: RoomRow) => boolean;
  closedOpen: boolean;
  onToggleClosed: () => void;
  onSelect: (room: string) => void;
  onCreate: (room: string) => Promise<string | null>;
}

function RoomButton(props: { r: RoomRow; current: boolean; unread: boolean; onSelect: (room: string) => void }) {
  const { r } = props;
  return (
    <li>
      <button
        type="button"
        class={`room${props.current ? ' current' : ''}${r.status === 'closed' ? ' closed' : ''}`}
        aria-current={props.current ? 'page' : undefined}
        onClick={() => props.onSelect(r.room)}
      >
        <span class="room-name">
          {props.unread && <span class="dot" aria-hidden="true" />}
          {r.room}
          {props.unread && <span class="sr-only">, new messages</span>}
        </span>
        <span class="room-meta">
          {r.messages === 0 ? 'no messages yet' : `${r.messages} msg · ${ago(r.seconds_since_last)}`}
          {r.status === 'closed' && ' · closed'}
        </span>
      </button>
    </li>
  );
}

/** Every room: open ones first, closed ones folded into one row; and a way to create one. */
export function Sidebar(props: Props) {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const open = props.rooms.filter((r) => r.status === 'open');
  const closed = props.rooms.filter((r) => r.status === 'closed');
  const button = (r: RoomRow) => (
    <RoomButton
      key={r.room}
      r={r}
      current={r.room === props.current}
      unread={props.unread(r)}
      onSelect={props.onSelect}
    />
  );

  async function create(e: Event) {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    const err = await props.onCreate(n);
    setError(err ?? '');
    if (!err) setName('');
  }

  return (
    <nav class="sidebar" aria-label="Rooms">
      <h2>Rooms</h2>
      <ul class="rooms">
        {open.map(button)}
        {open.length === 0 && <li class="muted small">No open rooms.</li>}
      </ul>
      {closed.length > 0 && (
        <>
          <button type="button" class="fold" aria-expanded={props.closedOpen} onClick={props.onToggleClosed}>
            {props.closedOpen ? '▾' : '▸'} Closed · {closed.length}
          </button>
          {props.closedOpen && <ul class="rooms">{closed.map(button)}</ul>}
        </>
      )}
      <form class="new-room" onSubmit={create}>
        <label for="new-room">New room</label>
        <div class="row">
          <input
            id="new-room"
            value={name}
            maxLength={64}
            placeholder="name"
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
          <button type="submit">Create</button>
        </div>
        {error && (
          <p class="error small" role="alert">
            {error}
          </p>
        )}
      </form>
    </nav>
  );
}
