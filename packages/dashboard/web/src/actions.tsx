import { useRef, useState } from 'preact/hooks';
import type { Live } from './live.js';
import { LiveError } from './live.js';
import type { Row } from './types.js';

type Action = 'start_container' | 'stop_container' | 'restart_container' | 'update_container' | 'delete_container';
const LABELS: Record<Action, string> = {
  start_container: 'Start',
  stop_container: 'Stop',
  restart_container: 'Restart',
  update_container: 'Update code',
  delete_container: 'Delete',
};

/** The actions on one of this flow-manager's flows: each asks for confirmation, and shows the service's answer. */
export function Actions({ live, row, onDeleted }: { live: Live; row: Row; onDeleted: () => void }) {
  const [pending, setPending] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null);
  const codePath = useRef<HTMLInputElement>(null);
  const running = row.state === 'running';

  const run = async (action: Action): Promise<void> => {
    setBusy(true);
    setAnswer(null);
    try {
      const id = { container_id: row.container_id };
      if (action === 'update_container') {
        const status = await live.request(action, { ...id, code_path: codePath.current?.value ?? '' }, 60_000);
        setAnswer({ ok: true, text: `Updated: ${status.name} is ${status.state}` });
      } else if (action === 'delete_container') {
        await live.request(action, id, 60_000);
        setAnswer({ ok: true, text: `Deleted ${row.name}` });
        onDeleted();
      } else {
        const status = await live.request(action, id, 60_000);
        setAnswer({ ok: true, text: `${LABELS[action]}: ${status.name} is ${status.state}` });
      }
    } catch (err) {
      setAnswer({ ok: false, text: err instanceof LiveError ? `${err.code}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const button = (action: Action, enabled: boolean) => (
    <button type="button" class={action === 'delete_container' ? 'danger' : ''} disabled={!enabled || busy} onClick={() => setPending(action)} data-testid={`action-${action}`}>
      {LABELS[action]}
    </button>
  );

  return (
    <div class="actions">
      <div class="buttons">
        {button('start_container', !running)}
        {button('stop_container', running)}
        {button('restart_container', true)}
        {button('update_container', row.status !== null)}
        {button('delete_container', true)}
      </div>
      {pending !== null && (
        <div class="confirm" role="dialog" aria-modal="false" aria-labelledby="confirm-title" data-testid="confirm">
          <p id="confirm-title">
            {LABELS[pending]} <strong>{row.name}</strong>?
          </p>
          {pending === 'update_container' && (
            <label>
              New code path (a host path under the service's allowed roots)
              <input ref={codePath} type="text" required placeholder="/srv/flows/my-flow" />
            </label>
          )}
          <button type="button" class={pending === 'delete_container' ? 'danger' : ''} disabled={busy} onClick={() => void run(pending)} data-testid="confirm-yes" autoFocus>
            {busy ? 'Working…' : `Yes, ${LABELS[pending].toLowerCase()}`}
          </button>
          <button type="button" class="ghost" disabled={busy} onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      )}
      <p role="status" class={answer === null ? 'answer' : answer.ok ? 'answer ok' : 'answer error'} data-testid="answer">
        {answer?.text ?? ''}
      </p>
    </div>
  );
}
