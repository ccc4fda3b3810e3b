import { useEffect, useState } from 'preact/hooks';
import { Detail } from './detail.js';
import { TOKEN_KEY } from './live.js';
import type { Live } from './live.js';
import { Overview } from './overview.js';
import { SignIn } from './sign-in.js';

/** Signed out: the token form. Signed in: the overview, or one container's detail. */
export function App() {
  const [live, setLive] = useState<Live | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [, setVersion] = useState(0);
  const [connected, setConnected] = useState(true);

  useEffect(() => {
    if (live === null) return;
    const off = live.subscribe(() => setVersion((v) => v + 1));
    const up = (): void => setConnected(true);
    const down = (): void => setConnected(false);
    live.socket.on('connect', up);
    live.socket.on('disconnect', down);
    void live.loadOverview().catch(() => undefined);
    return () => {
      off();
      live.socket.off('connect', up);
      live.socket.off('disconnect', down);
    };
  }, [live]);

  if (live === null) return <SignIn onSignedIn={setLive} />;
  const signOut = (): void => {
    sessionStorage.removeItem(TOKEN_KEY);
    live.close();
    setSelected(null);
    setLive(null);
  };
  const row = selected === null ? undefined : live.rows.get(selected);
  return (
    <div class="shell">
      <header class="top">
        <h1>
          <button class="link" type="button" onClick={() => setSelected(null)}>
            pocketdock
          </button>
        </h1>
        <span class="muted">flow-manager “{live.instance}”</span>
        <span class={connected ? 'pill ok' : 'pill bad'} role="status">
          {connected ? 'live' : 'reconnecting…'}
        </span>
        <button type="button" class="ghost" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {row === undefined ? <Overview live={live} onOpen={setSelected} /> : <Detail live={live} row={row} onBack={() => setSelected(null)} />}
      </main>
    </div>
  );
}
