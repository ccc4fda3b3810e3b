import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { rawJson, testEngines, until } from '@pocketdock/testkit';
import { ContainerError, openContainer } from '../../src/index.js';
import { rejection, sandbox } from './helpers.js';

const OWNER = join(__dirname, 'reap-owner.ts');

/** Starts the owner script (a separate Node process) and resolves with its child process and the container id. */
function owner(socketPath: string, options: Record<string, unknown>): Promise<{ kill: () => void; id: string }> {
  const run = process.env.POCKETDOCK_TEST_RUN ?? 'adhoc';
  const child = spawn(process.execPath, ['--conditions=@pocketdock/source', '--import', 'tsx', OWNER, socketPath, run, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve({ kill: () => child.kill('SIGKILL'), id: out.trim() });
    });
    child.once('exit', (code) => reject(new Error(`owner exited (${code}) before printing an id: ${err}`)));
  });
}

async function exists(socketPath: string, id: string): Promise<{ running: boolean; exitCode: number } | undefined> {
  const r = await rawJson<{ State: { Running: boolean; ExitCode: number } }>({ socketPath, path: `/containers/${id}/json` }).catch(() => undefined);
  return r ? { running: r.State.Running, exitCode: r.State.ExitCode } : undefined;
}

describe.each(testEngines())('self-reaping sandboxes on $name', (engine) => {
  it('is removed within its idle timeout once the owning process is SIGKILLed, and not before', async () => {
    const o = await owner(engine.socketPath, { idleTimeoutMs: 2000 });
    try {
      // The living owner's lifeline keeps it: well past the idle timeout it still runs.
      await new Promise((r) => setTimeout(r, 4000));
      expect((await exists(engine.socketPath, o.id))?.running).toBe(true);
      const killedAt = Date.now();
      o.kill();
      await until(async () => (await exists(engine.socketPath, o.id)) === undefined, { timeoutMs: 20_000, what: 'the orphaned sandbox to remove itself' });
      // idle 2 s, sampled each second, one more second to tell the lifeline: ~4 s; 20 s is the bound under load.
      expect(Date.now() - killedAt).toBeLessThan(20_000);
    } finally {
      o.kill();
      await rawJson({ socketPath: engine.socketPath, method: 'DELETE', path: `/containers/${o.id}?force=true` }).catch(() => undefined);
    }
  }, 60_000);

  it('a persist sandbox only stops, with the expiry in its exit code; a handle says CONTAINER_EXPIRED', async () => {
    const o = await owner(engine.socketPath, { ttlMs: 2000, persist: true });
    try {
      o.kill();
      await until(async () => (await exists(engine.socketPath, o.id))?.running === false, { timeoutMs: 20_000, what: 'the sandbox to stop' });
      expect((await exists(engine.socketPath, o.id))?.exitCode).toBe(81);
      const c = await openContainer(o.id, { socketPath: engine.socketPath });
      try {
        const err = await rejection(c.run('true'));
        expect(ContainerError.is(err) && err.code).toBe('CONTAINER_EXPIRED');
        expect((err as Error).message).toMatch(/ttlMs \(2000 ms\) ran out; it was stopped/);
      } finally {
        await c.shutdown();
      }
    } finally {
      o.kill();
      await rawJson({ socketPath: engine.socketPath, method: 'DELETE', path: `/containers/${o.id}?force=true` }).catch(() => undefined);
    }
  }, 60_000);

  it('ttl: the next call on the handle fails with CONTAINER_EXPIRED, and extendTtl pushes it back', async () => {
    await using c = await sandbox(engine, { ttlMs: 2000 });
    await c.extendTtl(3000);
    await new Promise((r) => setTimeout(r, 3500));
    expect((await c.run('echo still')).stdout).toBe('still\n'); // 2 s + 3 s not yet over
    await until(async () => ContainerError.is(await rejection(c.run('true'))), { timeoutMs: 20_000, what: 'the ttl to run out' });
    const err = await rejection(c.run('true'));
    expect(ContainerError.is(err) && err.code).toBe('CONTAINER_EXPIRED');
    expect((err as Error).message).toMatch(/ttlMs \(2000 ms\) ran out; it was removed/);
    await until(async () => (await exists(engine.socketPath, c.id)) === undefined, { timeoutMs: 10_000, what: 'removal' });
  }, 60_000);

  it('idle: a running detached process counts as activity; keepAlive:false sandboxes go once it ends', async () => {
    await using c = await sandbox(engine, { idleTimeoutMs: 2000, keepAlive: false });
    const p = await c.run('sleep 5', { detach: true });
    await new Promise((r) => setTimeout(r, 3500));
    expect((await exists(engine.socketPath, c.id))?.running).toBe(true); // no owner lifeline: the sleep kept it
    await p.wait();
    await c.keepAlive();
    await until(async () => (await exists(engine.socketPath, c.id)) === undefined, { timeoutMs: 20_000, what: 'the idle sandbox to go' });
    const err = await rejection(c.run('true'));
    expect(ContainerError.is(err) && err.code).toMatch(/CONTAINER_EXPIRED|CONTAINER_NOT_FOUND/);
  }, 60_000);

  it('refuses command with ttlMs, and extendTtl without ttlMs', async () => {
    const bad = await rejection(sandbox(engine, { ttlMs: 5000, command: ['sleep', '9'] }));
    expect(ContainerError.is(bad) && bad.code).toBe('CONTAINER_INVALID_OPTIONS');
    await using c = await sandbox(engine, { idleTimeoutMs: 60_000 });
    const err = await rejection(c.extendTtl(1000));
    expect(ContainerError.is(err) && err.code).toBe('CONTAINER_INVALID_OPTIONS');
    await c.keepAlive();
    expect((await c.run('echo ok')).stdout).toBe('ok\n');
  }, 60_000);
});
