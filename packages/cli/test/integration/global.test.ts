import { tempDir, testEngines } from '@pocketdock/testkit';
import { cli } from './cli.js';
import { configJson, enginesJson } from './schemas.js';
import { commandNames } from '../../src/program.js';

describe('pocketdock global flags, help, usage errors', () => {
  it('--version prints the version', async () => {
    expect(await cli(['--version'])).toEqual({ status: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('--help of the program and of every command shows usage and an example', async () => {
    const top = await cli(['--help']);
    expect(top.status).toBe(0);
    for (const flag of ['--socket', '--host', '--context', '--project', '--json', '--quiet', '--verbose', '--version']) expect(top.stdout).toContain(flag);
    const names = commandNames();
    for (let i = 0; i < names.length; i += 4) {
      // four bins at a time: one after the other, ~30 Node start-ups took past 30 s on a loaded CI machine
      const batch = names.slice(i, i + 4);
      const results = await Promise.all(batch.map((name) => cli([name, '--help'])));
      batch.forEach((name, j) => {
        expect({ name, status: results[j]!.status }).toEqual({ name, status: 0 });
        expect(results[j]!.stdout).toMatch(/Example:\n {2}\$ (pocketdock|source <\(pocketdock) /);
      });
    }
  }, 120_000);

  it('usage errors exit 2 with CLI_USAGE on stderr', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("error CLI_USAGE: unknown command 'frobnicate'");
    const missing = await cli(['run']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('error CLI_USAGE: missing required argument');
    const badTimeout = await cli(['run', '--timeout', 'soon', 'box', '--', 'true']);
    expect(badTimeout.status).toBe(2);
    expect(badTimeout.stderr).toContain('error CLI_INVALID_ARGUMENT: --timeout soon');
    const bare = await cli([]);
    expect(bare.status).toBe(2);
  });

  it('an engine that is not there: exit 125, the code and a hint', async () => {
    await using dir = await tempDir();
    const r = await cli(['--socket', `${dir.path}/none.sock`, 'list']);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/error (CONTAINER_ENGINE_ERROR|ENGINE_CONNECT_FAILED):/);
    expect(r.stderr).toContain('hint:');
  });

  it('config shows each setting with the layer it came from; secrets redacted', async () => {
    await using dir = await tempDir();
    const env = { POCKETDOCK_SANDBOX__MEM_LIMIT: '300m', POCKETDOCK_FLOW_MANAGER__TOKEN: 'sekrit-token-0123456789', XDG_CONFIG_HOME: dir.path, HOME: dir.path };
    const r = await cli(['--json', 'config'], { env, cwd: dir.path });
    expect(r.status).toBe(0);
    const entries = configJson.parse(JSON.parse(r.stdout));
    expect(entries.find((e) => e.key === 'sandbox.memLimit')).toMatchObject({ value: '300m', source: 'env POCKETDOCK_SANDBOX__MEM_LIMIT', layer: 'env' });
    expect(r.stdout).not.toContain('sekrit-token-0123456789');
    const one = await cli(['config', 'sandbox.memLimit'], { env, cwd: dir.path });
    expect(one.stdout).toMatch(/^KEY\s+VALUE\s+SOURCE\nsandbox\.memLimit\s+"300m"\s+env POCKETDOCK_SANDBOX__MEM_LIMIT\n$/);
  });

  it('completion prints a script for bash, zsh and fish', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await cli(['completion', shell]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('shutdown');
    }
    expect((await cli(['completion', 'tcsh'])).status).toBe(2);
  });
});

describe.each(testEngines())('pocketdock engines with $name named', (engine) => {
  it('says which socket is selected and why each candidate was taken or skipped', async () => {
    await using dir = await tempDir();
    const r = await cli(['--json', '--socket', engine.socketPath, 'engines'], { cwd: dir.path, env: { HOME: dir.path } });
    expect(r.status).toBe(0);
    const rows = enginesJson.parse(JSON.parse(r.stdout));
    expect(rows[0]).toMatchObject({ socketPath: engine.socketPath, status: 'selected', engine: engine.name, apiVersion: '1.41' });
    expect(rows.filter((row) => row.status === 'selected')).toHaveLength(1);
    const detected = await cli(['--json', 'engines'], { cwd: dir.path, env: { HOME: dir.path, POCKETDOCK_SOCKET: `${dir.path}/missing.sock`, DOCKER_HOST: '' } });
    const all = enginesJson.parse(JSON.parse(detected.stdout));
    expect(all[0]).toMatchObject({ socketPath: `${dir.path}/missing.sock`, status: 'skipped', reason: 'no such file' });
    // the settings name a socket: it is used as it is (no fallback), so nothing is selected; the others still answer
    expect(all.some((row) => row.status === 'selected')).toBe(false);
    expect(all.find((row) => row.socketPath === engine.socketPath)).toMatchObject({ status: 'answers', engine: engine.name });
  });
});
