import { useEffect, useRef, useState } from 'preact/hooks';
import { Live, LiveError, TOKEN_KEY } from './live.js';

/** The token form. The token is kept in this tab's session storage only, and sent in the Socket.IO handshake. */
export function SignIn({ onSignedIn }: { onSignedIn: (live: Live) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const attempt = async (token: string): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const live = await Live.connect(token);
      sessionStorage.setItem(TOKEN_KEY, token);
      onSignedIn(live);
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      setError(err instanceof LiveError ? err.message : String(err));
      setBusy(false);
      input.current?.focus();
    }
  };

  useEffect(() => {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved !== null) void attempt(saved);
    else input.current?.focus();
  }, []);

  return (
    <main class="signin">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const token = input.current?.value ?? '';
          if (token !== '') void attempt(token);
        }}
      >
        <h1>pocketdock</h1>
        <p class="muted">Sign in with the flow-manager's service token.</p>
        <label for="token">Service token</label>
        <input id="token" ref={input} type="password" autocomplete="current-password" required disabled={busy} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error !== null && (
          <p class="error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
