import { thrown } from '@pocketdock/testkit';
import { DEFAULT_PIDS_LIMIT, createNewContainer, isImageRef, listContainers, splitRef, validateContainerOptions } from '../src/index.js';
import { expiryOfExitCode, reaperCommand } from '../src/lifecycle/reaper.js';
import { closest } from '../src/option-keys.js';
import { createOptionsSchema, parseOptions, runOptionsSchema, sessionOptionsSchema } from '../src/options.js';

/** The error `p` rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string; cause?: unknown }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('unknown option keys are refused, naming the closest valid one', () => {
  // Regression: `memoryLimit` was silently ignored (zod's default strips unknown keys): the sandbox had no memory limit.
  it('createNewContainer({ memoryLimit }) -> CONTAINER_INVALID_OPTIONS naming memoryLimit and memLimit, before any engine call', async () => {
    const err = await rejection(createNewContainer({ memoryLimit: '256m' } as never));
    expect(err).toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
    expect(err.message).toContain('unknown option "memoryLimit" (did you mean "memLimit"?)');
  });

  it('a misspelt callback is matched against the callbacks too', async () => {
    const err = await rejection(createNewContainer({ onStdOut: () => undefined } as never));
    expect(err.message).toContain('"onStdOut" (did you mean "onStdout"?)');
  });

  it('nested objects are strict too: a volume written { path, readonly }', () => {
    expect(() => parseOptions(createOptionsSchema, { volumes: { '/h': { path: '/c', readonly: true } } }, 'createNewContainer')).toThrow(
      'volumes./h: unknown option "readonly" (did you mean "readOnly"?)',
    );
  });

  it.each([
    [runOptionsSchema, { timeout: 5 }, 'run', '"timeout" (did you mean "timeoutMs"?)'],
    [runOptionsSchema, { maxOutput: 5 }, 'run', '"maxOutput" (did you mean "maxOutputBytes"?)'],
    [sessionOptionsSchema, { workDir: '/tmp' }, 'session', '"workDir" (did you mean "workdir"?)'],
  ])('%#: %j -> names the closest key', (schema, value, what, text) => {
    expect(() => parseOptions(schema, value, what)).toThrow(text);
  });

  it('the standalone functions refuse unknown keys before connecting', async () => {
    const err = await rejection(listContainers({ projects: 'x' } as never));
    expect(err).toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS', message: expect.stringContaining('"projects" (did you mean "project"?)') });
  });

  it('closest() is an edit distance, case-insensitive', () => {
    expect(closest('memoryLimit', ['image', 'memLimit', 'cpuPercent', 'pidsLimit'])).toBe('memLimit');
    expect(closest('PIDSLIMIT', ['pidsLimit', 'memLimit'])).toBe('pidsLimit');
    expect(closest('x', [])).toBeUndefined();
  });
});

describe('strings the kernel takes as C strings', () => {
  it.each([
    [{ env: { A: 'a\0b' } }, 'env.A'],
    [{ env: { 'A=B': 'x' } }, 'env.A=B'],
    [{ workdir: '/t\0mp' }, 'workdir'],
    [{ user: 'ro\0ot' }, 'user'],
  ])('%j -> CONTAINER_INVALID_OPTIONS naming %s', (value, key) => {
    expect(thrown(() => parseOptions(runOptionsSchema, value, 'run'))).toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS', message: expect.stringContaining(key) });
  });
});

describe('defaults', () => {
  it(`pidsLimit is ${DEFAULT_PIDS_LIMIT} unless given`, () => {
    expect(parseOptions(createOptionsSchema, {}, 'x').pidsLimit).toBe(1024);
    expect(parseOptions(createOptionsSchema, { pidsLimit: 5000 }, 'x').pidsLimit).toBe(5000);
  });
});

describe('image references', () => {
  it.each(['busybox', 'pocketdock/busybox:test', 'localhost/x', 'registry.example.com:5000/a/b_c.d-e:v1.2', `x@sha256:${'a'.repeat(64)}`, `sha256:${'a'.repeat(64)}`, 'a'.repeat(12)])(
    '%s is well-formed',
    (ref) => expect(isImageRef(ref)).toBe(true),
  );

  it.each(['', 'Bad::ref!!', 'UPPER/case:tag', 'has spaces', 'a//b', 'x:', ':tag', 'a/b:', '-lead', 'x@sha256:short', 'x\0y'])('%j is IMAGE_INVALID', (ref) => {
    expect(isImageRef(ref)).toBe(false);
    expect(thrown(() => splitRef(ref))).toMatchObject({ code: 'IMAGE_INVALID' });
  });

  // Regression: a malformed image reached the engine and came back as CONTAINER_ENGINE_ERROR; the README promised
  // IMAGE_INVALID.
  it('createNewContainer with a malformed image -> IMAGE_INVALID, before any engine call', async () => {
    expect(await rejection(createNewContainer({ image: 'UPPER/case:tag', socketPath: '/nonexistent/engine.sock' }))).toMatchObject({ code: 'IMAGE_INVALID' });
  });

  it('splitRef: tag, registry port, digest', () => {
    expect(splitRef('a/b:c')).toEqual({ repo: 'a/b', tag: 'c' });
    expect(splitRef('host:5000/b')).toEqual({ repo: 'host:5000/b', tag: 'latest' });
    expect(splitRef(`b@sha256:${'f'.repeat(64)}`)).toEqual({ repo: 'b', tag: `sha256:${'f'.repeat(64)}` });
  });
});

describe('self-reaping options', () => {
  it('validateContainerOptions checks without creating: unknown keys, bounds, command with a limit', () => {
    expect(() => validateContainerOptions({ ttlMs: 5000, idleTimeoutMs: 2000, keepAlive: false })).not.toThrow();
    expect(thrown(() => validateContainerOptions({ memoryLimit: '1g' }))).toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS', message: expect.stringMatching(/did you mean "memLimit"/) });
    expect(thrown(() => validateContainerOptions({ ttlMs: 999 }))).toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS' });
    expect(thrown(() => validateContainerOptions({ idleTimeoutMs: 5000, command: ['sleep', '1'] }))).toMatchObject({ code: 'CONTAINER_INVALID_OPTIONS', message: expect.stringMatching(/command/) });
  });

  it('the reaper gets whole seconds (rounded up), 0 for none; its exit codes name the reason', () => {
    expect(reaperCommand(1500, undefined).slice(-2)).toEqual(['2', '0']);
    expect(reaperCommand(undefined, 60_000).slice(-2)).toEqual(['0', '60']);
    expect([expiryOfExitCode(81), expiryOfExitCode(82), expiryOfExitCode(0), expiryOfExitCode(undefined)]).toEqual(['ttl', 'idle', undefined, undefined]);
  });
});
