import { bytes, duration, percent, uptimeOf } from './format.js';
import type { Live } from './live.js';
import { Sparkline } from './sparkline.js';
import type { Row } from './types.js';

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state}`}>{state}</span>;
}

function RowView({ row, onOpen }: { row: Row; onOpen: (id: string) => void }) {
  return (
    <tr data-testid={`row-${row.name}`} data-id={row.container_id} data-state={row.state} data-pushed={row.pushedAt}>
      <td class="name">
        <button type="button" class="link" onClick={() => onOpen(row.container_id)} aria-label={`Open ${row.name}`}>
          {row.name}
        </button>
        {!row.managed_here && <span class="kind">{row.kind}</span>}
      </td>
      <td class="image hide-narrow">{row.image}</td>
      <td>
        <StateBadge state={row.state} />
      </td>
      <td class="hide-narrow">{row.health}</td>
      <td class="hide-narrow">{duration(uptimeOf(row))}</td>
      <td class="metric" data-testid="cpu">
        <div class="metric-cell">
          <Sparkline values={row.cpu} label={`CPU of ${row.name}`} />
          <span>{percent(row.state === 'running' ? row.sample?.cpu_percent : undefined)}</span>
        </div>
      </td>
      <td class="metric" data-testid="mem">
        <div class="metric-cell">
          <Sparkline values={row.mem} label={`memory of ${row.name}`} />
          <span>{bytes(row.state === 'running' ? row.sample?.memory_bytes : undefined)}</span>
        </div>
      </td>
    </tr>
  );
}

function Table({ rows, onOpen, caption }: { rows: Row[]; onOpen: (id: string) => void; caption: string }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col" class="hide-narrow">
            Image
          </th>
          <th scope="col">State</th>
          <th scope="col" class="hide-narrow">
            Health
          </th>
          <th scope="col" class="hide-narrow">
            Uptime
          </th>
          <th scope="col">CPU</th>
          <th scope="col">Memory</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <RowView key={r.container_id} row={r} onOpen={onOpen} />
        ))}
      </tbody>
    </table>
  );
}

/** Every flow this flow-manager runs, then the other pocketdock containers on the engine (read-only). */
export function Overview({ live, onOpen }: { live: Live; onOpen: (id: string) => void }) {
  const rows = [...live.rows.values()].sort((a, b) => a.name.localeCompare(b.name));
  const mine = rows.filter((r) => r.managed_here);
  const others = rows.filter((r) => !r.managed_here);
  return (
    <section aria-label="Containers">
      <div class="scroll" data-testid="flows">
        <Table rows={mine} onOpen={onOpen} caption={`Flows (${mine.length})`} />
        {mine.length === 0 && <p class="muted">No flows yet: create one through the service's API.</p>}
      </div>
      <div class="scroll" data-testid="others">
        <Table rows={others} onOpen={onOpen} caption={`Other pocketdock containers on the engine, read-only (${others.length})`} />
      </div>
    </section>
  );
}
