import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { testEngines } from '@pocketdock/testkit';
import { TEST_STATE_HOME } from './cli.js';

const ROOT = join(__dirname, '../../../..');
const RUN = process.env.POCKETDOCK_TEST_RUN ?? 'adhoc';

function npx(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// The README's path: after `npm start` in a fresh clone, `npx pocketdock run -- echo hi` prints hi (a throwaway
// sandbox, removed after). The engine is found by detection, or named by POCKETDOCK_SOCKET as a user would.
describe.each(testEngines())('a newcomer on $name', (engine) => {
  it('npx pocketdock run -- echo hi prints hi', async () => {
    const env = {
      ...process.env,
      NO_COLOR: '1',
      XDG_STATE_HOME: TEST_STATE_HOME,
      POCKETDOCK_SOCKET: engine.socketPath,
      POCKETDOCK_SANDBOX__LABELS: JSON.stringify({ 'pocketdock.test-run': RUN }),
    };
    expect(await npx(['pocketdock', 'run', '--', 'echo', 'hi'], env)).toEqual({ status: 0, stdout: 'hi\n', stderr: '' });
    const shell = await npx(['pocketdock', 'run', '--', 'echo "$((6*7))" && exit 5'], env);
    expect(shell).toEqual({ status: 5, stdout: '42\n', stderr: '' });
  }, 120_000);
});
