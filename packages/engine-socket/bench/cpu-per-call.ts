// Client CPU time per short call, ours (EngineClient, keep-alive) against a bare undici Pool on the same socket, on
// both real engines: `GET /_ping` (read to the end) and `GET /containers/{id}/json` (parsed), 8 callers. Rounds of
// each contender alternate; each round counts this process's CPU time (user + system) over its calls. CPU per call
// moves much less with the machine's load than calls per second do (a loaded machine mostly adds waiting), so the
// ratio is the figure to compare. Built package; from the repository root:
//   npx tsx packages/engine-socket/bench/cpu-per-call.ts
//   BENCH_ROUNDS (default 9) rounds of BENCH_ROUND_MS (default 400) per contender; BENCH_ONLY=ours (or pool) runs
//   that contender alone (for `node --cpu-prof --import tsx ...`); BENCH_ENGINE=docker (or podman) one engine.
import { loadavg } from 'node:os';
import { Pool } from 'undici';
import { EngineClient } from '@pocketdock/engine-socket';
import { startTestContainer, testEngines } from '@pocketdock/testkit';
import { fmt } from './measure.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const roundMs = Number(process.env.BENCH_ROUND_MS ?? 400);
const only = process.env.BENCH_ONLY as 'ours' | 'pool' | undefined;

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of body) {
    // read to the end
  }
}

/** µs of CPU per call and calls/s over one round of `op` with 8 callers. */
async function round(op: () => Promise<unknown>): Promise<{ cpuUs: number; perSecond: number }> {
  let count = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + roundMs;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < end) {
        await op();
        count++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / count, perSecond: count / ((performance.now() - t0) / 1000) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const lines = [`Node ${process.version}; load average (1 min) ${fmt(loadavg()[0]!, 1)} before.`, ''];
lines.push('| engine | call | ours CPU µs/call | Pool CPU µs/call | ours / Pool (CPU) | ours calls/s | Pool calls/s | ours / Pool (calls/s) |', '|---|---|---:|---:|---:|---:|---:|---:|');
for (const engine of testEngines().filter((e) => process.env.BENCH_ENGINE === undefined || e.name === process.env.BENCH_ENGINE)) {
  await using container = await startTestContainer(engine);
  await using client = await EngineClient.connect({ socketPath: engine.socketPath });
  // The same options as transport/connections.ts gives its Pool.
  const pool = new Pool('http://localhost', { socketPath: engine.socketPath, connections: 32, pipelining: 1, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000, headersTimeout: 0, bodyTimeout: 0 });
  const v = `/v${client.apiVersion}`;
  const calls = {
    'GET /_ping': {
      ours: async () => drain((await client.request({ path: '/_ping' })).body),
      pool: async () => drain((await pool.request({ method: 'GET', path: `${v}/_ping` })).body),
    },
    'GET /containers/{id}/json': {
      ours: () => client.json({ path: `/containers/${container.id}/json` }),
      pool: async () => (await pool.request({ method: 'GET', path: `${v}/containers/${container.id}/json` })).body.json(),
    },
  };
  try {
    for (const [call, ops] of Object.entries(calls)) {
      const samples = { ours: [] as { cpuUs: number; perSecond: number }[], pool: [] as { cpuUs: number; perSecond: number }[] };
      const contenders = only === undefined ? (['ours', 'pool'] as const) : ([only] as const);
      for (const k of contenders) await round(ops[k]);
      for (let r = 0; r < rounds; r++) for (const k of contenders) samples[k].push(await round(ops[k]));
      const m = (k: 'ours' | 'pool', f: 'cpuUs' | 'perSecond') => median(samples[k].map((s) => s[f]));
      if (only !== undefined) {
        process.stderr.write(`${engine.name} ${call}: ${only} ${fmt(m(only, 'cpuUs'), 1)} µs CPU/call, ${fmt(m(only, 'perSecond'))}/s\n`);
        continue;
      }
      lines.push(
        `| ${engine.name} | \`${call}\` | ${fmt(m('ours', 'cpuUs'), 1)} | ${fmt(m('pool', 'cpuUs'), 1)} | ${fmt(m('ours', 'cpuUs') / m('pool', 'cpuUs'), 2)}x | ` +
          `${fmt(m('ours', 'perSecond'))} | ${fmt(m('pool', 'perSecond'))} | ${fmt(m('ours', 'perSecond') / m('pool', 'perSecond'), 2)}x |`,
      );
      process.stderr.write(`${lines.at(-1)}\n`);
    }
  } finally {
    await pool.close();
  }
}
lines.push('', `Load average (1 min) ${fmt(loadavg()[0]!, 1)} after. Medians of ${rounds} alternating rounds of ${roundMs} ms per contender, 8 callers.`);
if (only === undefined) process.stdout.write(`${lines.join('\n')}\n`);
