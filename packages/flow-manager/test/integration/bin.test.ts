import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { tempDir, testEngines } from '@pocketdock/testkit';

const BIN = join(__dirname, '../../src/bin.ts');
const engine = testEngines()[0]!;

/** Runs the bin from source (tsx), as `npx flow-manager` runs the built one. */
function run(env: Record<string, string>): { child: ReturnType<typeof spawn>; stdout: Promise<string>; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@pocketdock/source', '--import', 'tsx', BIN], {
    env: { PATH: process.env.PATH ?? '', POCKETDOCK_SOCKET: engine.socketPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stdout = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', () => resolve(out));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr: () => err, exit };
}

describe('the flow-manager bin', () => {
  it('prints where it listens, serves, and stops cleanly on SIGTERM', async () => {
    await using dir = await tempDir();
    const token = randomBytes(16).toString('hex');
    const p = run({
      FLOW_MANAGER_TOKEN: token,
      FLOW_MANAGER_PORT: '0',
      FLOW_MANAGER_SOCKET_DIR: join(dir.path, 's'),
      FLOW_MANAGER_INSTANCE: `bin-${randomBytes(4).toString('hex')}`,
    });
    try {
      const line = await p.stdout;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      expect(url).toBeDefined();
      const client = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        const answer: unknown = await client.timeout(10_000).emitWithAck('list_containers', {});
        expect(answer).toEqual({ ok: true, data: [] });
      } finally {
        client.disconnect();
      }
      expect(p.stderr()).toContain('"msg":"flow-manager listening"');
      expect(p.stderr()).not.toContain(token);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exit).toBe(0);
  }, 30_000);

  it('refuses to start without a token, saying why, with exit code 1', async () => {
    const p = run({ FLOW_MANAGER_PORT: '0' });
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toContain('FM_NO_TOKEN');
  }, 30_000);
});
