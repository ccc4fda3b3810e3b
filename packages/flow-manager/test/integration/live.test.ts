import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processesWithEnv, testEngines, until } from '@pocketdock/testkit';
import type { ContainerInfo } from '../../src/index.js';
import { call, connected, ok, startService, statusUntil } from './helpers.js';
import type { Client, Service } from './helpers.js';

/** A flow that logs a numbered line every 100 ms. */
const LOGGING_FLOW = `const { connectFlow } = require('@pocketdock/flow-runtime');
connectFlow({ onMessage: (m) => m });
let n = 0;
setInterval(() => { console.log('line ' + n++); if (n % 5 === 0) console.error('err ' + n); }, 100);
`;

type Pushes = { output: string; exits: Array<{ terminal_id: string; reason: string }> };
function listen(client: Client): Pushes {
  const p: Pushes = { output: '', exits: [] };
  const c = client as unknown as { on: (e: string, l: (x: never) => void) => void };
  c.on('terminal_output', (x: { data: string }) => (p.output += x.data));
  c.on('terminal_exit', (x: { terminal_id: string; reason: string }) => p.exits.push(x));
  return p;
}
const live = (client: Client, event: string, payload: unknown) => call(client, event as never, payload);
const liveOk = <T = Record<string, unknown>>(client: Client, event: string, payload: unknown) => ok<T>(client, event as never, payload);

/** Processes in the container carrying a terminal's marker (PD_TERMINAL). */
const terminalProcesses = (socketPath: string, id: string): Promise<number> => processesWithEnv(socketPath, id, 'PD_TERMINAL');

describe.each(testEngines())('dashboard live events on $name', (engine) => {
  let svc: Service;
  let flow: ContainerInfo;
  beforeAll(async () => {
    svc = await startService(engine, { maxTerminals: 2, terminalIdleMs: 3_000, liveStatsIntervalMs: 300 });
    const dir = join(svc.root, 'logging');
    await mkdir(dir);
    await writeFile(join(dir, 'index.js'), LOGGING_FLOW);
    const client = await svc.connect();
    flow = await ok<ContainerInfo>(client, 'create_container', { code_path: dir });
    await statusUntil(client, flow.container_id, connected);
  }, 120_000);
  afterAll(async () => {
    await svc?.close();
  });

  it('the overview lists the flow, then ticks with samples and pushes status changes of every flow', async () => {
    const watcher = await svc.connect();
    const other = await svc.connect();
    const ticks: Array<{ flows: unknown[]; samples: Array<{ container_id: string; cpu_percent: number | null }> }> = [];
    (watcher as unknown as { on: (e: string, l: (t: never) => void) => void }).on('live_tick', (t: never) => ticks.push(t));
    const overview = await liveOk<{ containers: Array<{ container_id: string; managed_here: boolean }> }>(watcher, 'live_overview', {});
    expect(overview.containers).toContainEqual(expect.objectContaining({ container_id: flow.container_id, managed_here: true }));
    await until(() => ticks.some((t) => t.samples.some((s) => s.container_id === flow.container_id && s.cpu_percent !== null)), { what: 'a sample with CPU', timeoutMs: 15_000 });
    // A flow created by another client: its status reaches the overview without any subscription.
    const statuses: string[] = [];
    watcher.on('container_status', (s) => statuses.push(s.container_id));
    const made = await ok<ContainerInfo>(other, 'create_container', { code_path: svc.v1 });
    await until(() => statuses.includes(made.container_id), { what: 'the new flow in the overview' });
    await ok(other, 'delete_container', { container_id: made.container_id });
  }, 60_000);

  it('follows logs (history and pushes), refuses bad payloads and containers pocketdock does not manage', async () => {
    const client = await svc.connect();
    const lines: string[] = [];
    (client as unknown as { on: (e: string, l: (b: never) => void) => void }).on('live_log', (b: { lines: Array<{ text: string }> }) => lines.push(...b.lines.map((l) => l.text)));
    const first = await liveOk<{ lines: Array<{ text: string; stream: string }> }>(client, 'live_logs', { container_id: flow.container_id, tail: 10 });
    expect(first.lines.length).toBeLessThanOrEqual(1_000);
    await until(() => lines.some((l) => l.startsWith('line ')) && lines.some((l) => l.startsWith('err ')), { what: 'stdout and stderr lines', timeoutMs: 10_000 });
    expect(await live(client, 'live_logs', { container_id: '' })).toMatchObject({ code: 'FM_INVALID_PAYLOAD' });
    expect(await live(client, 'live_logs', { container_id: flow.container_id, extra: 1 })).toMatchObject({ code: 'FM_INVALID_PAYLOAD' });
    expect(await live(client, 'live_logs', { container_id: 'f'.repeat(64) })).toMatchObject({ code: 'FM_CONTAINER_NOT_FOUND' });
    await liveOk(client, 'live_logs_stop', { container_id: flow.container_id });
    const count = lines.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(lines.length).toBeLessThanOrEqual(count + 1); // at most one batch already on its way
  }, 60_000);

  it('terminals: echo, one per container per client, a cap, owners only, idle timeout, gone on disconnect', async () => {
    const a = await svc.connect();
    const b = await svc.connect();
    const c = await svc.connect();
    const pa = listen(a);
    const pb = listen(b);
    const t = await liveOk<{ terminal_id: string }>(a, 'terminal_open', { container_id: flow.container_id, cols: 80, rows: 24 });
    await liveOk(a, 'terminal_input', { terminal_id: t.terminal_id, data: 'echo hi-$((40+2))\n' });
    await until(() => pa.output.includes('hi-42'), { what: 'the echo' });
    await liveOk(a, 'terminal_resize', { terminal_id: t.terminal_id, cols: 100, rows: 30 });
    await liveOk(a, 'terminal_input', { terminal_id: t.terminal_id, data: 'stty size\n' });
    await until(() => pa.output.includes('30 100'), { what: 'the new size' });

    expect(await live(a, 'terminal_open', { container_id: flow.container_id, cols: 80, rows: 24 })).toMatchObject({ code: 'FM_LIVE_LIMIT' });
    // Someone else's terminal is not there for b.
    expect(await live(b, 'terminal_input', { terminal_id: t.terminal_id, data: 'rm -rf /\n' })).toMatchObject({ code: 'FM_TERMINAL_NOT_FOUND' });
    expect(await live(b, 'terminal_close', { terminal_id: t.terminal_id })).toMatchObject({ code: 'FM_TERMINAL_NOT_FOUND' });
    const tb = await liveOk<{ terminal_id: string }>(b, 'terminal_open', { container_id: flow.container_id, cols: 80, rows: 24 });
    expect(await live(c, 'terminal_open', { container_id: flow.container_id, cols: 80, rows: 24 })).toMatchObject({ code: 'FM_LIVE_LIMIT' }); // maxTerminals 2
    expect(await live(c, 'terminal_open', { container_id: flow.container_id, cols: 0, rows: 24 })).toMatchObject({ code: 'FM_INVALID_PAYLOAD' });

    // b says nothing: closed as idle after terminalIdleMs.
    await until(() => pb.exits.some((e) => e.terminal_id === tb.terminal_id && e.reason === 'idle'), { what: 'the idle close', timeoutMs: 10_000 });
    // a goes away: its terminal is closed, and its shell is gone from the container.
    a.disconnect();
    await until(async () => (await terminalProcesses(engine.socketPath, flow.container_id)) === 0, { what: 'no terminal process left', timeoutMs: 15_000, intervalMs: 300 });
    await liveOk(c, 'terminal_open', { container_id: flow.container_id, cols: 80, rows: 24 });
  }, 90_000);
});
