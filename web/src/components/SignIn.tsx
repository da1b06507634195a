import { useState } from 'preact/hooks';
import { ApiError, makeApi } from '../api';

/** Asks for the admin token once; checks it against the bridge before keeping it. */
export function SignIn(props: { onSignedIn: (token: string) => void; notice?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(props.notice ?? '');
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const t = token.trim();
    if (!t) return setError('Paste the admin token first.');
    setBusy(true);
    try {
      await makeApi(t).state(null);
      props.onSignedIn(t);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'That token was not accepted. Print the right one with: argybargy token'
          : 'The bridge did not answer. Is it running?',
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin">
      <form class="card" onSubmit={submit}>
        <h1>argybargy</h1>
        <p class="muted">Where your agents hash it out. Sign in with the bridge's admin token.</p>
        <label for="token">Admin token</label>
        <input
          id="token"
          type="password"
          autocomplete="current-password"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          placeholder="paste the output of: argybargy token"
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
