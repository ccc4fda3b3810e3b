import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FLOW_IMAGE, tempDir, testEngines } from '@pocketdock/testkit';
import { startService } from './helpers.js';
import type { Service } from './helpers.js';

/** A flow that answers kawaflow's `{ command, data }` messages. */
const kawaflowFlow = (version: number): string => `const { connectFlow } = require('@pocketdock/flow-runtime');
const flow = connectFlow({
  onMessage(m) {
    if (m && m.command === 'emit') { flow.send(m.data.event, m.data.payload); return 'sent'; }
    if (m && m.command === 'crash') { console.log('about to crash'); setTimeout(() => process.exit(3), 50); return 'bye'; }
    return { echo: m, version: ${version} };
  },
});
`;

const PYTHON_TIMEOUT_MS = 240_000;

/** Runs the Python client; resolves with its exit code and output (killed at the timeout: code null). */
function runPython(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [join(__dirname, 'kawaflow_client.py')], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), PYTHON_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

// CI installs python3-socketio and python3-websocket from Debian (tools/python-client.sh, run by tools/setup.sh).
describe.each(testEngines())('a kawaflow client in Python (python3-socketio) on $name', (engine) => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService(engine, { kawaflow: true });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('drives every kawaflow event and gets every reply event and push', async () => {
    await using outside = await tempDir();
    const dirs = { v1: join(svc.root, 'kv1'), v2: join(svc.root, 'kv2'), data: join(svc.root, 'data') };
    for (const d of Object.values(dirs)) await mkdir(d);
    await writeFile(join(dirs.v1, 'index.js'), kawaflowFlow(1));
    await writeFile(join(dirs.v2, 'index.js'), kawaflowFlow(2));
    const { code, out } = await runPython({
      FM_URL: svc.fm.url,
      FM_TOKEN: svc.token,
      FM_IMAGE: FLOW_IMAGE,
      FM_CODE_V1: dirs.v1,
      FM_CODE_V2: dirs.v2,
      FM_DATA: dirs.data,
      FM_OUTSIDE: outside.path,
    });
    if (code !== 0) throw new Error(`the Python client exited ${code}:\n${out}`);
    expect(out).toContain('every check passed');
  }, PYTHON_TIMEOUT_MS + 30_000);
});
