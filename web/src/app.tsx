import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, makeApi } from './api';
import { Composer } from './components/Composer';
import { Inbox } from './components/Inbox';
import { KeysDrawer } from './components/KeysDrawer';
import { Roster } from './components/Roster';
import { Sidebar } from './components/Sidebar';
import { SignIn } from './components/SignIn';
import { Timeline } from './components/Timeline';
import { useNow } from './hooks';
import { load, save } from './storage';
import type { RoomRow, State } from './types';

type Theme = 'light' | 'dark' | null;

function applyTheme(t: Theme) {
  if (t) document.documentElement.dataset.theme = t;
  else delete document.documentElement.dataset.theme;
}

function systemDark(): boolean {
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

/** Signs in, then shows the dashboard; a rejected token sends the operator back to sign in. */
export function App() {
  const [token, setToken] = useState<string | null>(load<string | null>('token', null));
  const [notice, setNotice] = useState('');
  if (!token) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(t) => {
          save('token', t);
          setNotice('');
          setToken(t);
        }}
      />
    );
  }
  return (
    <Dashboard
      token={token}
      onToken={(t) => {
        save('token', t);
        setToken(t);
      }}
      onSignOut={(why) => {
        save('token', null);
        setNotice(why ?? '');
        setToken(null);
      }}
    />
  );
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function Dashboard(props: { token: string; onToken: (t: string) => void; onSignOut: (why?: string) => void }) {
  const api = useMemo(() => makeApi(props.token), [props.token]);
  const [room, setRoom] = useState<string | null>(new URLSearchParams(location.search).get('room'));
  const [state, setState] = useState<State | null>(null);
  const [fetchedAt, setFetchedAt] = useState(Date.now());
  const [offline, setOffline] = useState(false);
  const [theme, setTheme] = useState<Theme>(load<Theme>('theme', null));
  const [seen, setSeen] = useState<Record<string, number>>(load('seen', {}));
  const [closedOpen, setClosedOpen] = useState<boolean>(load('closedOpen', false));
  const [keysOpen, setKeysOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  const [focusToken, setFocusToken] = useState(0);
  const now = useNow();

  useEffect(() => applyTheme(theme), [theme]);

  const refresh = useCallback(async () => {
    const s = await api.state(room);
    setState(s);
    setFetchedAt(Date.now());
    return s;
  }, [api, room]);

  // Live: fetch the snapshot, then park on /admin/changes until something happens.
  useEffect(() => {
    let stopped = false;
    const ac = new AbortController();
    (async () => {
      let failures = 0;
      while (!stopped) {
        try {
          const s = await refresh();
          setOffline(false);
          failures = 0;
          await api.changes(s.change_version, ac.signal);
        } catch (e) {
          if (stopped) return;
          if (e instanceof ApiError && e.status === 401) {
            props.onSignOut('Your admin token no longer works (was it rotated?). Sign in again.');
            return;
          }
          setOffline(true);
          await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** failures++)));
        }
      }
    })();
    return () => {
      stopped = true;
      ac.abort();
    };
  }, [api, refresh]);

  // Without a room in view, show the most recently active one.
  useEffect(() => {
    if (!room && state && state.rooms.length > 0)
      setRoom(state.rooms.find((r) => r.status === 'open')?.room ?? state.rooms[0].room);
  }, [room, state]);

  useEffect(() => {
    const url = new URL(location.href);
    if (room) url.searchParams.set('room', room);
    else url.searchParams.delete('room');
    history.replaceState(null, '', url);
  }, [room]);

  const current = state?.rooms.find((r) => r.room === room) ?? null;
  useEffect(() => {
    if (current && seen[current.room] !== current.last_seq) {
      const next = { ...seen, [current.room]: current.last_seq };
      setSeen(next);
      save('seen', next);
    }
  }, [current?.room, current?.last_seq]);

  const unread = (r: RoomRow) => r.room !== room && r.last_seq > (seen[r.room] ?? 0);
  const members = (room && state?.roster[room]) || [];
  const messages = state && state.room === room ? state.messages : [];
  // Every open question: the agents' (waiting) and the operator's own (asked, which wait on agents).
  const open = state ? [...state.waiting, ...state.asked] : [];
  const waitingHere = open.filter((w) => w.room === room);

  const select = (r: string) => {
    setRoom(r);
    setNavOpen(false);
  };

  const act = async (fn: () => Promise<unknown>): Promise<string | null> => {
    try {
      await fn();
      await refresh();
      return null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401)
        props.onSignOut('Your admin token no longer works. Sign in again.');
      return errText(e);
    }
  };

  if (!state) {
    return (
      <main class="loading" aria-busy="true">
        {offline ? 'The bridge is not answering; retrying…' : 'Loading…'}
      </main>
    );
  }

  const dark = theme ? theme === 'dark' : systemDark();
  return (
    <div class={`shell${keysOpen ? ' with-drawer' : ''}`}>
      <header class="topbar">
        <button type="button" class="ghost nav-toggle" aria-expanded={navOpen} onClick={() => setNavOpen(!navOpen)}>
          ☰ <span class="sr-only">Rooms</span>
        </button>
        <h1>argybargy</h1>
        <span class="url small" title="Public URL">
          {state.public_url}
        </span>
        {offline && (
          <span class="badge warn" role="status">
            reconnecting…
          </span>
        )}
        <div class="spacer" />
        <button type="button" onClick={() => setKeysOpen(!keysOpen)} aria-expanded={keysOpen}>
          Keys
        </button>
        <button
          type="button"
          class="ghost"
          aria-label={dark ? 'Switch to light theme' : 'Switch to dark theme'}
          onClick={() => {
            const next: Theme = dark ? 'light' : 'dark';
            setTheme(next);
            save('theme', next);
          }}
        >
          {dark ? '☀' : '☾'}
        </button>
        <button type="button" class="ghost" onClick={() => props.onSignOut()}>
          Sign out
        </button>
      </header>
      <div class={`body${navOpen ? ' nav-open' : ''}`}>
        <Sidebar
          rooms={state.rooms}
          current={room}
          unread={unread}
          closedOpen={closedOpen}
          onToggleClosed={() => {
            setClosedOpen(!closedOpen);
            save('closedOpen', !closedOpen);
          }}
          onSelect={select}
          onCreate={(name) =>
            act(async () => {
              await api.createRoom(name);
              setRoom(name);
            })
          }
        />
        <main class="content">
          <Inbox
            rows={state.inbox}
            now={now}
            fetchedAt={fetchedAt}
            onOpen={(r) => {
              select(r);
              setFocusToken((n) => n + 1);
            }}
          />
          {current ? (
            <div class="room-view">
              <div class="room-head">
                <h2>#{current.room}</h2>
                <span class={`badge ${current.status}`}>{current.status}</span>
                {current.status === 'closed' && current.closed_by && (
                  <span class="small muted">closed by {current.closed_by}</span>
                )}
                <div class="spacer" />
                {current.status === 'open' ? (
                  <button
                    type="button"
                    class="danger"
                    onClick={() => {
                      if (confirm(`Close #${current.room}? Every agent in it is told to leave.`))
                        void act(() => api.setRoom(current.room, 'close'));
                    }}
                  >
                    Close room
                  </button>
                ) : (
                  <button type="button" onClick={() => void act(() => api.setRoom(current.room, 'reopen'))}>
                    Reopen
                  </button>
                )}
              </div>
              <div class="room-grid">
                <div class="conversation">
                  <Timeline messages={messages} waiting={waitingHere} now={now} fetchedAt={fetchedAt} />
                  <Composer
                    room={current.room}
                    members={members.map((m) => m.name)}
                    focusToken={focusToken}
                    onSend={(m) => act(() => api.say({ room: current.room, ...m }))}
                  />
                </div>
                <Roster room={current.room} members={members} waiting={open} />
              </div>
            </div>
          ) : (
            <p class="muted empty">No rooms yet. Create one on the left, or mint a key under Keys.</p>
          )}
        </main>
        {keysOpen && (
          <KeysDrawer
            codes={state.codes}
            hashCodes={state.hash_codes}
            publicUrl={state.public_url}
            defaultRoom={room ?? 'default'}
            onClose={() => setKeysOpen(false)}
            onMint={async (m) => {
              try {
                const res = await api.invite(m);
                await refresh();
                return res;
              } catch (e) {
                return errText(e);
              }
            }}
            onRevoke={(t) => act(() => api.revoke(t))}
            onRotate={async () => {
              try {
                const { admin_token } = await api.rotate();
                props.onToken(admin_token);
                return null;
              } catch (e) {
                return errText(e);
              }
            }}
          />
        )}
      </div>
    </div>
  );
}
