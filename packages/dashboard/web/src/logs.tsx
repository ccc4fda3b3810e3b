import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { time } from './format.js';
import type { Live } from './live.js';
import { LiveError } from './live.js';
import type { LogLine } from './types.js';

const MAX_LINES = 5_000;

/** A container's live log: follows it (scrolls to the end), pauses (new lines wait, counted), searches. */
export function Logs({ live, containerId }: { live: Live; containerId: string }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [paused, setPaused] = useState(false);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const waiting = useRef<LogLine[]>([]);
  const pausedRef = useRef(false);
  const box = useRef<HTMLPreElement>(null);
  const [waitingCount, setWaitingCount] = useState(0);

  useEffect(() => {
    let active = true;
    const add = (more: LogLine[]): void => setLines((old) => [...old, ...more].slice(-MAX_LINES));
    const onLines = ({ container_id, lines: more }: { container_id: string; lines: LogLine[] }): void => {
      if (container_id !== containerId) return;
      if (pausedRef.current) {
        waiting.current.push(...more);
        setWaitingCount(waiting.current.length);
      } else add(more);
    };
    live.socket.on('live_log', onLines);
    live.request('live_logs', { container_id: containerId, tail: 200 }).then(
      (r) => active && setLines(r.lines),
      (err: unknown) => active && setError(err instanceof LiveError ? `${err.code}: ${err.message}` : String(err)),
    );
    return () => {
      active = false;
      live.socket.off('live_log', onLines);
      void live.request('live_logs_stop', { container_id: containerId }).catch(() => undefined);
    };
  }, [live, containerId]);

  useLayoutEffect(() => {
    if (follow && !paused && box.current) box.current.scrollTop = box.current.scrollHeight;
  });

  const togglePause = (): void => {
    const next = !paused;
    pausedRef.current = next;
    setPaused(next);
    if (!next) {
      const more = waiting.current;
      waiting.current = [];
      setWaitingCount(0);
      setLines((old) => [...old, ...more].slice(-MAX_LINES));
    }
  };
  const q = query.toLowerCase();
  const shown = q === '' ? lines : lines.filter((l) => l.text.toLowerCase().includes(q));

  return (
    <div class="logs">
      <div class="toolbar">
        <button type="button" onClick={togglePause} aria-pressed={paused} data-testid="logs-pause">
          {paused ? `Resume (${waitingCount} new)` : 'Pause'}
        </button>
        <label class="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow
        </label>
        <label class="search">
          <span class="sr-only">Search the log</span>
          <input type="search" placeholder="Search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} data-testid="logs-search" />
        </label>
        <span class="muted">
          {shown.length} / {lines.length} lines
        </span>
      </div>
      {error !== null && <p class="error">{error}</p>}
      <pre ref={box} class="logbox" tabIndex={0} aria-label="Log lines" data-testid="logs">
        {shown.map((l, i) => (
          <div key={i} class={l.stream === 'stderr' ? 'line err' : 'line'}>
            <span class="ts">{time(l.ts)}</span> {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}
