// The ipc benchmark lives in @pocketdock/factory/bench, because it compares both transports in one run; this runs
// its TCP half (floor, ipc and NDJSON over TCP). Run: npx nx bench @pocketdock/ipc-tcp
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const script = join(import.meta.dirname, '../../factory/bench/index.ts');
const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_ONLY: process.env['BENCH_ONLY'] ?? 'tcp,floor,ipc,ndjson' },
});
process.exit(result.status ?? 1);
