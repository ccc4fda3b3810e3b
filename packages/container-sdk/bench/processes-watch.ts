// Supervised processes and file watching (issue 19), both engines, one run:
//   1. re-attach: attach(id, { follow: false }) to an ended process with 64 KiB kept, all of it read (p50, p99),
//      and attach() to a running one until its first chunk; against run('true') in the same sandbox (the floor: an
//      attach is one exec) and the ratio
//   2. watch event latency: a file written through a session (`echo > f`), from the write issued to its create event
//      received (p50, p99), at intervalMs 100 (default) and 20; the session's own `true` round trip for reference
// Run: node --conditions=@pocketdock/source --import tsx packages/container-sdk/bench/processes-watch.ts
// Env: BENCH_N (samples each, default 20), BENCH_ENGINES.
import { createNewContainer } from '@pocketdock/container-sdk';
import type { Container } from '@pocketdock/container-sdk';
import { fmt, pct, timed } from './measure.js';

const SOCKETS: Record<string, string> = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };
const N = Number(process.env.BENCH_N ?? 20);
const LABELS = { 'pocketdock.bench': 'processes-watch' };

const line = (what: string, xs: number[]): string => `${what}: p50 ${fmt(pct(xs, 50))} ms, p99 ${fmt(pct(xs, 99))} ms`;

async function reattach(engine: string, c: Container): Promise<void> {
  const ended = await c.spawn('yes 0123456789abcdef | head -c 65536');
  await c.waitProcess(ended.id);
  const replay = await timed(N, async () => {
    const { data } = await (await c.attach(ended.id, { follow: false })).readAll();
    if (data.length !== 65536) throw new Error(`replayed ${data.length} bytes`);
  });
  const live = await c.spawn('echo ready; sleep 3600');
  const first = await timed(N, async () => {
    const a = await c.attach(live.id);
    for await (const _chunk of a) break;
  });
  await c.killProcess(live.id);
  const floor = await timed(N, async () => void (await c.run('true')));
  console.log(`${engine}: ${line('re-attach, replay 64 KiB of an ended process', replay)}; ${line('attach to first chunk (running)', first)}`);
  console.log(`${engine}: ${line("run('true') floor", floor)}; replay / floor ${(pct(replay, 50) / pct(floor, 50)).toFixed(2)}x, first chunk / floor ${(pct(first, 50) / pct(floor, 50)).toFixed(2)}x`);
}

async function watchLatency(engine: string, c: Container, intervalMs: number): Promise<void> {
  const dir = `/wb${intervalMs}`;
  await c.run(`mkdir -p ${dir}`);
  const s = await c.session();
  const w = await c.watch(dir, { intervalMs });
  try {
    const lat: number[] = [];
    for (let i = 0; i < N; i++) {
      const path = `${dir}/f${i}`;
      const t = performance.now();
      await s.run(`echo ${i} > ${path}`);
      for (;;) {
        const e = await w.next();
        if (e.done) throw new Error('watch ended');
        if (e.value.type === 'create' && e.value.path === path) break;
      }
      lat.push(performance.now() - t);
    }
    const own = await timed(N, async () => void (await s.run('true')));
    console.log(`${engine}: watch intervalMs ${intervalMs}: ${line('write issued -> create event', lat)}; ${line("session run('true') (the write's own cost)", own)}`);
  } finally {
    await w.close();
    await s.close();
  }
}

for (const engine of (process.env.BENCH_ENGINES ?? 'docker,podman').split(',').map((e) => e.trim())) {
  const c = await createNewContainer({ socketPath: SOCKETS[engine]!, labels: LABELS });
  try {
    await reattach(engine, c);
    await watchLatency(engine, c, 100);
    await watchLatency(engine, c, 20);
  } finally {
    await c.shutdown({ force: true });
  }
}
