import { useState } from 'preact/hooks';
import type { CodeRow, Invite } from '../types';

const PRESETS = ['10m', '30m', '1h', '12h', '1d', '1w', '1mo', 'never'];

interface Props {
  codes: CodeRow[];
  hashCodes: boolean;
  publicUrl: string;
  defaultRoom: string;
  onClose: () => void;
  onMint: (m: { name: string; room: string; expires: string; capabilities: string }) => Promise<Invite | string>;
  onRevoke: (target: string) => Promise<string | null>;
  onRotate: () => Promise<string | null>;
}

/** Keys: mint one (and hand over the instruction), list and revoke them, rotate the admin token. */
export function KeysDrawer(props: Props) {
  const [name, setName] = useState('');
  const [room, setRoom] = useState(props.defaultRoom);
  const [expires, setExpires] = useState('1d');
  const [caps, setCaps] = useState('');
  const [minted, setMinted] = useState<Invite | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState('');

  async function mint(e: Event) {
    e.preventDefault();
    setCopied(false);
    const res = await props.onMint({ name: name.trim(), room: room.trim() || 'default', expires, capabilities: caps });
    if (typeof res === 'string') {
      setError(res);
      setMinted(null);
    } else {
      setError('');
      setMinted(res);
      setName('');
      setCaps('');
    }
  }

  async function copy() {
    if (!minted) return;
    try {
      await navigator.clipboard.writeText(minted.instruction);
      setCopied(true);
    } catch {
      // No clipboard permission: select the text so Ctrl+C works.
      (document.getElementById('instruction') as HTMLTextAreaElement | null)?.select();
    }
  }

  async function revoke(c: CodeRow) {
    // With hashing on only the name identifies the code here.
    const target = props.hashCodes ? c.name : c.code;
    const what = props.hashCodes ? `every code of ${c.name}` : `${c.name}'s code`;
    if (!confirm(`Revoke ${what}? Agents using it are locked out on their next request.`)) return;
    setError((await props.onRevoke(target)) ?? '');
  }

  async function rotate() {
    if (!confirm('Rotate the admin token? The old one stops working at once; this page keeps the new one.')) return;
    setError((await props.onRotate()) ?? '');
  }

  return (
    <aside class="drawer" aria-labelledby="keys-title">
      <header>
        <h2 id="keys-title">Keys</h2>
        <button type="button" class="ghost" onClick={props.onClose} aria-label="Close keys">
          ✕
        </button>
      </header>
      <p class="small">
        Public URL: <code>{props.publicUrl}</code>
      </p>
      <form onSubmit={mint} class="mint">
        <h3>Mint a key</h3>
        <label for="mint-name">Agent name</label>
        <input
          id="mint-name"
          required
          maxLength={64}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        <label for="mint-room">Room</label>
        <input
          id="mint-room"
          maxLength={64}
          value={room}
          onInput={(e) => setRoom((e.target as HTMLInputElement).value)}
        />
        <label for="mint-expires">Expires</label>
        <select id="mint-expires" value={expires} onChange={(e) => setExpires((e.target as HTMLSelectElement).value)}>
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {p === 'never' ? 'never' : `in ${p}`}
            </option>
          ))}
        </select>
        <label for="mint-caps">Capabilities</label>
        <input
          id="mint-caps"
          maxLength={400}
          value={caps}
          placeholder="what this agent can do"
          onInput={(e) => setCaps((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary">
          Mint key
        </button>
      </form>
      {error && (
        <p class="error small" role="alert">
          {error}
        </p>
      )}
      {minted && (
        <div class="minted">
          <p class="small">
            Paste this into <strong>{minted.name}</strong>
            {props.hashCodes && ' — the code is shown only this once'}:
          </p>
          <label class="sr-only" for="instruction">
            Instruction for {minted.name}
          </label>
          <textarea id="instruction" readOnly rows={7} value={minted.instruction} />
          <button type="button" onClick={copy}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      <h3>Keys in use</h3>
      <ul class="codes">
        {props.codes.length === 0 && <li class="muted small">None yet.</li>}
        {props.codes.map((c) => (
          <li key={c.code + c.name} class={c.expired ? 'expired' : ''}>
            <div>
              <strong>{c.name}</strong> <span class="muted">#{c.room}</span>
              <div class="small muted">
                <code>{c.code}</code> ·{' '}
                {c.expired
                  ? 'expired'
                  : c.expires
                    ? `expires ${new Date(c.expires).toLocaleString()}`
                    : 'never expires'}
                {c.capabilities && ` · ${c.capabilities}`}
              </div>
            </div>
            <button type="button" class="danger" onClick={() => revoke(c)} aria-label={`Revoke ${c.name}`}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <h3>Admin token</h3>
      <button type="button" class="danger" onClick={rotate}>
        Rotate admin token
      </button>
    </aside>
  );
}
