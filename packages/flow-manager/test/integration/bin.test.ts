import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { tempDir, testEngines } from '@pocketdock/testkit';
import { runBin } from './bin-process.js';

const engine = testEngines()[0]!;
const PKG = join(__dirname, '../..');

describe('the flow-manager bin', () => {
  it('prints where it listens, serves, and stops cleanly on SIGTERM', async () => {
    await using dir = await tempDir();
    const token = randomBytes(16).toString('hex');
    const p = runBin({
      POCKETDOCK_SOCKET: engine.socketPath,
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
    const p = runBin({ POCKETDOCK_SOCKET: engine.socketPath, FLOW_MANAGER_PORT: '0' });
    expect(await p.exit).toBe(1);
    expect(p.stderr()).toContain('FM_NO_TOKEN');
  }, 30_000);

  it('is a file npm can link in a fresh clone (in git, executable, no build needed), with --help, --version, and an error for anything else', async () => {
    const pkg = JSON.parse(await readFile(join(PKG, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string>; files: string[] };
    const bin = join(PKG, pkg.bin['flow-manager']!);
    await access(bin, constants.X_OK); // npm skips a bin whose file is missing at install time (dist/ before a build)
    expect(pkg.files).toContain(pkg.bin['flow-manager']!.replace(/^\.\//, '').split('/')[0]);
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    // run as the command itself, the way npx runs it
    const version = runBin({}, ['--version'], [bin]);
    expect(await version.exit).toBe(0);
    expect((await version.stdout).trim()).toBe(pkg.version);
    const help = runBin({}, ['--help'], [bin]);
    expect(await help.exit).toBe(0);
    expect(await help.stdout).toContain('usage: flow-manager');
    for (const bogus of [['--bogus'], ['--version=2'], ['serve'], ['--config']]) {
      const p = runBin({}, bogus, [bin]);
      expect([bogus, await p.exit]).toEqual([bogus, 2]);
      expect(p.stderr()).toMatch(/flow-manager: (unknown|--config needs)/);
    }
  }, 60_000);
});
