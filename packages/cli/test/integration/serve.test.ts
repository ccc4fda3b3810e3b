import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tempDir, testEngines, until } from '@pocketdock/testkit';
import { BIN } from './cli.js';
import { serveJson } from './schemas.js';

describe.each(testEngines())('pocketdock serve on $name', (engine) => {
  it('starts the flow-manager from the settings, says where it listens, stops on SIGTERM with exit 0', async () => {
    await using dir = await tempDir();
    const env = {
      ...process.env,
      POCKETDOCK_FLOW_MANAGER__HOST: '127.0.0.1',
      POCKETDOCK_FLOW_MANAGER__PORT: '0',
      POCKETDOCK_FLOW_MANAGER__ALLOW_OPEN_LOOPBACK: 'true',
      POCKETDOCK_FLOW_MANAGER__SOCKET_DIR: join(dir.path, 'sockets'),
      POCKETDOCK_FLOW_MANAGER__INSTANCE: `pdcli-serve-${process.pid}`,
    };
    const child = spawn(process.execPath, [BIN, '--socket', engine.socketPath, '--json', 'serve'], { cwd: dir.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      await until(() => out.includes('\n'), { timeoutMs: 60_000, what: 'the first line of serve' }).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}; serve's stderr so far: ${err || '(nothing)'}`); // err as it is now, not when until() began
      });
      const doc = serveJson.parse(JSON.parse(out.slice(0, out.indexOf('\n'))));
      expect(doc.url).toBe(`http://127.0.0.1:${doc.port}`);
      const res = await fetch(`${doc.url}/socket.io/?EIO=4&transport=polling`);
      expect(res.status).toBe(200);
      await res.text();
      // The dashboard's page at `/`, under its Content-Security-Policy.
      const page = await fetch(`${doc.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await page.text()).toContain('<div id="app"');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
