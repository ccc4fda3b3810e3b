// The ipc benchmark lives in @pocketdock/factory/bench, because it compares both transports in one run; this runs
// its UNIX half (floor, ipc and NDJSON over UNIX). Run: npx nx bench @pocketdock/ipc-unix
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const script = join(import.meta.dirname, '../../factory/bench/index.ts');
const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
  stdio: 'inherit',
  env: { ...process.env, BENCH_ONLY: process.env['BENCH_ONLY'] ?? 'unix,floor,ipc,ndjson' },
});
process.exit(result.status ?? 1);
