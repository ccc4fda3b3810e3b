import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Live } from './live.js';
import { LiveError } from './live.js';

/**
 * A shell in the container (an exec with a TTY on the service's Socket.IO connection). The size follows the page;
 * leaving the view, or closing the tab (the connection goes), ends the exec.
 */
export function TerminalView({ live, containerId }: { live: Live; containerId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<string>('opening…');

  useEffect(() => {
    const term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 14, scrollback: 5_000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current!);
    fit.fit();
    let id: string | null = null;
    let closed = false;
    const onOutput = ({ terminal_id, data }: { terminal_id: string; data: string }): void => {
      if (terminal_id === id) term.write(data);
    };
    const onExit = ({ terminal_id, reason }: { terminal_id: string; reason: string }): void => {
      if (terminal_id !== id) return;
      id = null;
      setState(`ended (${reason})`);
    };
    live.socket.on('terminal_output', onOutput);
    live.socket.on('terminal_exit', onExit);
    const input = term.onData((data) => {
      if (id !== null) void live.request('terminal_input', { terminal_id: id, data }).catch(() => undefined);
    });
    const resize = new ResizeObserver(() => {
      fit.fit();
      if (id !== null) void live.request('terminal_resize', { terminal_id: id, cols: term.cols, rows: term.rows }).catch(() => undefined);
    });
    resize.observe(host.current!);
    live.request('terminal_open', { container_id: containerId, cols: term.cols, rows: term.rows }).then(
      (r) => {
        if (closed) return void live.request('terminal_close', { terminal_id: r.terminal_id }).catch(() => undefined);
        id = r.terminal_id;
        setState('connected');
        term.focus();
      },
      (err: unknown) => setState(err instanceof LiveError ? `${err.code}: ${err.message}` : String(err)),
    );
    return () => {
      closed = true;
      resize.disconnect();
      input.dispose();
      live.socket.off('terminal_output', onOutput);
      live.socket.off('terminal_exit', onExit);
      if (id !== null) void live.request('terminal_close', { terminal_id: id }).catch(() => undefined);
      term.dispose();
    };
  }, [live, containerId]);

  return (
    <div class="terminal-wrap">
      <p class="muted" role="status" data-testid="terminal-state">
        Terminal: {state}
      </p>
      <div ref={host} class="terminal" data-testid="terminal" />
    </div>
  );
}
