import { useEffect, useRef, useState } from 'preact/hooks';
import { load, save } from '../storage';

interface Props {
  room: string;
  members: string[];
  focusToken: number;
  onSend: (m: { text: string; to: string; sender: string; expects_reply?: string }) => Promise<string | null>;
}

/** Post into the room as a human: sender name, recipient and who should reply. */
export function Composer(props: Props) {
  const [text, setText] = useState('');
  const [to, setTo] = useState('all');
  const [expects, setExpects] = useState('');
  const [sender, setSender] = useState(load('sender', 'operator'));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (props.focusToken > 0) box.current?.focus();
  }, [props.focusToken]);
  useEffect(() => {
    setTo('all');
    setExpects('');
  }, [props.room]);

  async function send(e?: Event) {
    e?.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    const err = await props.onSend({
      text,
      to,
      sender: sender.trim() || 'operator',
      expects_reply: expects || undefined,
    });
    setBusy(false);
    setError(err ?? '');
    if (!err) setText('');
  }

  return (
    <form class="composer" onSubmit={send} aria-label="Send a message">
      <div class="composer-options">
        <label for="composer-as">As</label>
        <input
          id="composer-as"
          value={sender}
          maxLength={64}
          onInput={(e) => {
            const v = (e.target as HTMLInputElement).value;
            setSender(v);
            save('sender', v);
          }}
        />
        <label for="composer-to">To</label>
        <select id="composer-to" value={to} onChange={(e) => setTo((e.target as HTMLSelectElement).value)}>
          <option value="all">everyone</option>
          {props.members.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <label for="composer-expects">Reply from</label>
        <select
          id="composer-expects"
          value={expects}
          onChange={(e) => setExpects((e.target as HTMLSelectElement).value)}
        >
          <option value="">default</option>
          <option value="none">nobody</option>
          <option value="anyone">anyone (claim)</option>
          {props.members.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </div>
      <div class="composer-main">
        <label class="sr-only" for="composer-text">
          Message to {props.room}
        </label>
        <textarea
          id="composer-text"
          ref={box}
          rows={2}
          value={text}
          placeholder={`Message #${props.room} (Ctrl+Enter to send)`}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
          }}
        />
        <button type="submit" class="primary" disabled={busy || !text.trim()}>
          Send
        </button>
      </div>
      {error && (
        <p class="error small" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
