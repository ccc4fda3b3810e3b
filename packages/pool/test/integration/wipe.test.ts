import { testEngines, until } from '@pocketdock/testkit';
import { IMAGE, poolContainers, releaseChecked, testPool } from './helpers.js';
import { PoolError, createPool } from '../../src/index.js';

/** Every writable place of a wiped container the lease can write in. */
const PLACES = ['/tmp', '/var/tmp', '/work', '/home', '/root', '/run', '/dev/shm'];

// What a hostile tenant does in its lease: secrets everywhere it can write (dotfiles, a directory it made
// unreadable, a full tmpfs), processes that try to survive (setsid, ignoring SIGTERM, double-forked to init,
// detached through the engine), and what it cannot do: write to the read-only root, mount (no CAP_SYS_ADMIN).
const ATTACK = [
  ...PLACES.map((p) => `echo secret > ${p}/.s && mkdir -p ${p}/d/e && echo secret > ${p}/d/e/f && chmod 000 ${p}/d/e ${p}/d`),
  'mkdir -p /home/u/.ssh && echo key > /home/u/.ssh/id',
  'touch /dev/mqueue/q 2>/dev/null; true',
  'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m 2>/dev/null && echo mounted',
  'touch /tmp/x && chown 1234:1234 /tmp/x && chmod 000 /tmp/x',
  "setsid sh -c 'trap \"\" TERM HUP; while :; do sleep 1; done' </dev/null >/dev/null 2>&1 &",
  "sh -c '(sleep 700 </dev/null >/dev/null 2>&1 &) &'",
  'nohup sleep 600 </dev/null >/dev/null 2>&1 &',
  'echo ok',
].join('\n');

// Podman bind-mounts its init binary at /run/podman-init: the engine's, not the lease's (and read-only).
const LEFT = `find ${PLACES.join(' ')} /dev/mqueue -mindepth 1 ! -path /run/podman-init 2>&1; ps -o args | grep -E '^(sleep [67]00|sh -c|\\(sleep)' | grep -v grep; true`;

describe.each(testEngines())("cleanLeases 'wipe' on $name", (engine) => {
  it('the next lease on the same container sees none of the previous lease\'s files or processes', async () => {
    await using pool = await testPool(engine, { cleanLeases: 'wipe', maxSize: 1 });
    const first = await pool.acquire();
    const id = first.container.id;
    expect((await first.run(ATTACK)).stdout).toBe('ok\n');
    await first.container.run('sleep 800', { detach: true });
    // The read-only root refuses writes; a scratch tmpfs is bounded (64m for /tmp).
    expect((await first.run('echo x > /etc/secret')).exitCode).not.toBe(0);
    expect((await first.run('dd if=/dev/zero of=/tmp/fill bs=1M count=100 2>&1')).stdout).toMatch(/No space left/);
    expect((await first.run(`find ${PLACES.join(' ')} -mindepth 1 | wc -l`)).stdout.trim()).not.toBe('0');
    expect(await releaseChecked(pool, first)).toMatchObject({ reused: true });

    await using second = await pool.acquire();
    expect(second.container.id).toBe(id); // warm: the same container, wiped
    expect((await second.run(LEFT)).stdout).toBe('');
    expect((await second.run('ps -o args | grep -c "^sleep 800"; true')).stdout.trim()).toBe('0');
    expect((await second.run('cat /tmp/.s /home/u/.ssh/id 2>&1; true')).stdout).toMatch(/No such file[\s\S]*No such file/);
    // The tmpfs is empty again: the 100 MiB write did not leave /tmp full.
    expect((await second.run('dd if=/dev/zero of=/tmp/again bs=1M count=8 2>&1 && echo written')).stdout).toMatch(/written/);
  }, 90_000);

  it('a change the wipe cannot undo (a file in /dev) replaces the container', async () => {
    await using pool = await testPool(engine, { cleanLeases: 'wipe', maxSize: 1 });
    const first = await pool.acquire();
    const id = first.container.id;
    expect((await first.run('echo secret > /dev/secret && echo written')).stdout).toBe('written\n');
    expect(await releaseChecked(pool, first)).toMatchObject({ reused: false, reason: 'failed-check' });
    await using second = await pool.acquire();
    expect(second.container.id).not.toBe(id);
    expect((await second.run('cat /dev/secret 2>&1; true')).stdout).toMatch(/No such file/);
    await until(async () => !(await poolContainers(engine, pool.name)).includes(id), { what: 'the old container to be removed' });
  }, 90_000);
});

describe("cleanLeases 'wipe' options", () => {
  it.each([
    [{ cleanLeases: 'wipe', container: { user: 'nobody' } }, /container\.user/],
    [{ cleanLeases: 'wipe', container: { volumes: { '/srv': '/srv' } } }, /writable volumes/],
    [{ cleanLeases: 'wipe', container: { tmpfs: { '/x': '' } } }, /use scratch/],
    [{ cleanLeases: 'replace', scratch: { '/tmp': '' } }, /only with cleanLeases: 'wipe'/],
    [{ cleanLeases: 'wipe', scratch: { '/dev/x': '' } }, /not under \/proc, \/sys or \/dev/],
  ])('%j -> POOL_INVALID_OPTIONS', async (options, message) => {
    const err = await createPool({ name: 'pd-test-invalid', image: IMAGE, socketPath: '/nonexistent.sock', ...(options as object) }).catch((e: unknown) => e);
    expect(PoolError.is(err) && err.code).toBe('POOL_INVALID_OPTIONS');
    expect((err as Error).message).toMatch(message);
  });
});
