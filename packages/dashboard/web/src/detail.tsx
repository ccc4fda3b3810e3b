import { useEffect, useState } from 'preact/hooks';
import { Actions } from './actions.js';
import { Chart } from './chart.js';
import { bytes, duration, percent, time, uptimeOf } from './format.js';
import type { Live } from './live.js';
import { Logs } from './logs.js';
import { StateBadge } from './overview.js';
import { TerminalView } from './terminal.js';
import type { ActivityEntry, FlowMessage, Row } from './types.js';

type Tab = 'logs' | 'activity' | 'messages' | 'resources' | 'terminal';

/** One container: its actions (flows here only), live logs, activity, flow messages, resource charts, a terminal. */
export function Detail({ live, row, onBack }: { live: Live; row: Row; onBack: () => void }) {
  const [tab, setTab] = useState<Tab>('logs');
  const [activity, setActivity] = useState<ActivityEntry[]>([]);
  const [messages, setMessages] = useState<FlowMessage[]>([]);
  const id = row.container_id;

  useEffect(() => {
    if (!row.managed_here) return;
    const onActivity = (e: ActivityEntry): void => {
      if (e.container_id === id) setActivity((old) => [...old, e].slice(-500));
    };
    const onMessage = (m: FlowMessage): void => {
      if (m.container_id === id) setMessages((old) => [...old, m].slice(-500));
    };
    live.socket.on('activity', onActivity);
    live.socket.on('flow_message', onMessage);
    live.request('subscribe', { container_id: id }).then(
      (r) => setActivity(r.activity),
      () => undefined,
    );
    return () => {
      live.socket.off('activity', onActivity);
      live.socket.off('flow_message', onMessage);
      void live.request('unsubscribe', { container_id: id }).catch(() => undefined);
    };
  }, [live, id, row.managed_here]);

  const tabs: Tab[] = row.managed_here ? ['logs', 'activity', 'messages', 'resources', 'terminal'] : ['logs', 'resources'];
  const canTerminal = row.managed_here && row.state === 'running';
  return (
    <section class="detail" aria-labelledby="detail-title">
      <div class="detail-head">
        <button type="button" class="ghost" onClick={onBack}>
          ← All containers
        </button>
        <h2 id="detail-title" data-testid="detail-title">
          {row.name}
        </h2>
        <span data-testid="detail-state" data-state={row.state}>
          <StateBadge state={row.state} />
        </span>
        <span class="muted">
          {row.image} · {row.health} · up {duration(uptimeOf(row))} · CPU {percent(row.sample?.cpu_percent)} · {bytes(row.sample?.memory_bytes)}
        </span>
      </div>
      {row.managed_here ? <Actions live={live} row={row} onDeleted={onBack} /> : <p class="muted">Read-only: this container is not one of this flow-manager's flows.</p>}
      <div role="tablist" class="tabs" aria-label="Views">
        {tabs.map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} class={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
            {t}
          </button>
        ))}
      </div>
      <div role="tabpanel" class="panel">
        {tab === 'logs' && <Logs live={live} containerId={id} />}
        {tab === 'activity' && (
          <ul class="feed" data-testid="activity">
            {activity.map((a, i) => (
              <li key={i}>
                <span class="ts">{time(a.timestamp)}</span> <span class={`badge act-${a.type}`}>{a.type}</span> {a.message}
              </li>
            ))}
          </ul>
        )}
        {tab === 'messages' && (
          <ul class="feed" data-testid="messages">
            {messages.length === 0 && <li class="muted">No messages from the flow since this view opened.</li>}
            {messages.map((m, i) => (
              <li key={i}>
                <span class="ts">{time(m.timestamp)}</span> <strong>{m.event}</strong> <code>{JSON.stringify(m.message)}</code>
              </li>
            ))}
          </ul>
        )}
        {tab === 'resources' && (
          <div class="charts">
            <Chart title="CPU %" values={row.cpu} unit={(v) => `${v.toFixed(1)}%`} testId="chart-cpu" />
            <Chart title="Memory" values={row.mem} unit={(v) => bytes(v)} testId="chart-mem" />
          </div>
        )}
        {tab === 'terminal' && (canTerminal ? <TerminalView live={live} containerId={id} /> : <p class="muted">The terminal needs a running flow.</p>)}
      </div>
    </section>
  );
}
