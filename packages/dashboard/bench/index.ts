// Dashboard benchmark, one engine (BENCH_ENGINE, default docker): npx nx bench @pocketdock/dashboard
//   50 flows managed (busybox `sleep` containers: what is measured is the service and the page, not the flows),
//   one API client subscribed to all 50 (a real consumer of the pushes), and 1,000 status pushes per second
//   (statuses of the 50 flows, emitted through the manager's own `status` event: the path a real change takes).
//   A. without the page (the tab on about:blank): the service process's CPU (the API client is in it too) over BENCH_SECONDS
//   B. the same load with the page open in headless Chromium on the overview: the same CPU figure, and, measured in
//      the browser, the time from a push's arrival in the page to its row's update in the DOM (MutationObserver on
//      the row's `data-pushed`, set from performance.now() when the push arrived), p50/p90/p99
// A and B alternate BENCH_ROUNDS times, so both see the same noisy machine.
// Env: BENCH_ENGINE, BENCH_FLOWS (50), BENCH_RATE (pushes/s, 1000), BENCH_SECONDS (10 per phase), BENCH_ROUNDS (3).
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { io } from 'socket.io-client';
import { FlowManager } from '@pocketdock/flow-manager';
import type { ContainerStatus } from '@pocketdock/flow-manager';
import { tempDir } from '@pocketdock/testkit';
import { dashboardDir } from '@pocketdock/dashboard';
import { launchChromium, openPage } from '../test/integration/chromium.js';

const ENGINE = process.env.BENCH_ENGINE ?? 'docker';
const SOCKET = ENGINE === 'podman' ? '/run/podman/podman.sock' : '/var/run/docker.sock';
const FLOWS = Number(process.env.BENCH_FLOWS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};

/** Emits RATE statuses per second (1 ms ticks, catching up on the schedule) for SECONDS; resolves with the count. */
async function pushLoad(fm: FlowManager, statuses: ContainerStatus[], seconds: number): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE);
    for (; sent < due; sent++) {
      const s = statuses[sent % statuses.length]!;
      fm.manager.emit('status', { ...s, uptime: s.uptime + sent, last_communication: new Date().toISOString() });
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return sent;
}

async function cpuOver(run: () => Promise<number>): Promise<{ cpuPercent: number; pushes: number; seconds: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const pushes = await run();
  const c = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  return { cpuPercent: ((c.user + c.system) / 1000 / (seconds * 1000)) * 100, pushes, seconds };
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const sockets = await tempDir();
  const token = randomBytes(16).toString('hex');
  const fm = await FlowManager.start({
    port: 0,
    token,
    engineSocket: SOCKET,
    socketDir: sockets.path,
    instance: `bench-dash-${randomBytes(3).toString('hex')}`,
    labels: { 'pocketdock.managed': 'true', 'pocketdock.bench': 'dashboard' },
    logLevel: 'warn',
    maxContainers: FLOWS,
    dashboardDir: dashboardDir(),
  });
  const api = io(fm.url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  const ack = async <T>(event: string, payload: unknown): Promise<T> => {
    const r = (await api.timeout(120_000).emitWithAck(event, payload)) as { ok?: true; data?: T; message?: string };
    if (r.ok !== true) throw new Error(`${event}: ${r.message}`);
    return r.data as T;
  };
  const browser = await launchChromium();
  try {
    if (!api.connected) await new Promise<void>((resolve, reject) => api.once('connect', resolve).once('connect_error', reject));
    const made = performance.now();
    for (let i = 0; i < FLOWS; i += 5) {
      await Promise.all(
        Array.from({ length: Math.min(5, FLOWS - i) }, (_, k) => ack('create_container', { name: `bench-${i + k}`, image: 'pocketdock/busybox:test', command: ['sleep', '3600'] })),
      );
    }
    process.stderr.write(`created ${FLOWS} flows in ${((performance.now() - made) / 1000).toFixed(1)} s\n`);
    const statuses = fm.manager.listContainers().map((c) => fm.manager.statusOf(c.container_id)!);
    for (const s of statuses) await ack('subscribe', { container_id: s.container_id });

    const { page, errors } = await openPage(browser.context);
    const observe = async (): Promise<void> => {
      await page.waitForSelector('[data-testid=flows] tbody tr:nth-child(' + FLOWS + ')', { timeout: 60_000 });
      await page.evaluate(() => {
        const w = window as unknown as { __lat: number[]; __paint: number[] };
        w.__lat = [];
        w.__paint = [];
        new MutationObserver((records) => {
          const now = performance.now();
          for (const r of records) {
            const pushed = Number((r.target as Element).getAttribute('data-pushed'));
            if (pushed > 0) {
              w.__lat.push(now - pushed);
              requestAnimationFrame(() => w.__paint.push(performance.now() - pushed));
            }
          }
        }).observe(document.querySelector('[data-testid=flows] tbody')!, { attributes: true, attributeFilter: ['data-pushed'], subtree: true });
      });
    };
    // Signed in once; afterwards the tab's session storage signs it in again on each visit.
    await page.goto(fm.url);
    await page.fill('#token', token);
    await page.press('#token', 'Enter');
    await observe();
    const without: Array<Awaited<ReturnType<typeof cpuOver>>> = [];
    const withPage: Array<Awaited<ReturnType<typeof cpuOver>>> = [];
    const lat: number[] = [];
    const paint: number[] = [];
    // Interleaved rounds, so both phases see the same (noisy) machine: the page away (about:blank: its connection
    // closed), then the page on the overview.
    for (let round = 0; round < ROUNDS; round++) {
      await page.goto('about:blank');
      await pushLoad(fm, statuses, 1);
      without.push(await cpuOver(() => pushLoad(fm, statuses, SECONDS)));
      await page.goto(fm.url);
      await observe();
      await pushLoad(fm, statuses, 1);
      await page.evaluate(() => {
        const w = window as unknown as { __lat: number[]; __paint: number[] };
        w.__lat.length = 0;
        w.__paint.length = 0;
      });
      withPage.push(await cpuOver(() => pushLoad(fm, statuses, SECONDS)));
      const got = await page.evaluate(() => {
        const w = window as unknown as { __lat: number[]; __paint: number[] };
        return { lat: [...w.__lat], paint: [...w.__paint] };
      });
      lat.push(...got.lat);
      paint.push(...got.paint);
    }
    const loadAfter = loadavg();
    const row = (name: string, r: { cpuPercent: number; pushes: number; seconds: number }): string =>
      `| ${name} | ${r.pushes} in ${r.seconds.toFixed(1)} s (${Math.round(r.pushes / r.seconds)}/s) | ${r.cpuPercent.toFixed(1)} % |`;
    console.log(`\nengine ${ENGINE}, ${FLOWS} flows, target ${RATE} pushes/s, ${ROUNDS} interleaved rounds of ${SECONDS} s per phase, ${new Date().toISOString()}`);
    console.log(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
    console.log('\n| round, phase | pushes | service process CPU (one core = 100 %) |\n|---|---|---:|');
    for (let i = 0; i < ROUNDS; i++) {
      console.log(row(`${i + 1}, without the page`, without[i]!));
      console.log(row(`${i + 1}, with the page on the overview`, withPage[i]!));
    }
    const med = (xs: Array<{ cpuPercent: number }>): number => pct(xs.map((x) => x.cpuPercent), 50);
    console.log(`\nmedian CPU without ${med(without).toFixed(1)} %, with ${med(withPage).toFixed(1)} %: with / without ${(med(withPage) / med(without)).toFixed(3)}x`);
    console.log(`\npush arrival in the page -> row updated in the DOM, ${lat.length} row updates: p50 ${pct(lat, 50).toFixed(1)} ms, p90 ${pct(lat, 90).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms`);
    console.log(`push arrival -> the next frame after the update, ${paint.length}: p50 ${pct(paint, 50).toFixed(1)} ms, p90 ${pct(paint, 90).toFixed(1)} ms, p99 ${pct(paint, 99).toFixed(1)} ms`);
    console.log(`console errors in the page: ${errors.length}`);
    await page.close();
  } finally {
    await browser.close();
    api.disconnect();
    for (const c of fm.manager.listContainers()) await fm.manager.deleteContainer(c.container_id).catch(() => undefined);
    await fm.stop();
    await sockets[Symbol.asyncDispose]();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
