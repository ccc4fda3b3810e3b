import { request } from 'node:http';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@pocketdock/testkit';
import { staticPage } from '../src/live/static-page.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path goes out exactly as written (no URL normalisation of `..`). */
function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard page server (static-page.ts)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let outside: Awaited<ReturnType<typeof tempDir>>;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    dir = await tempDir();
    outside = await tempDir();
    await writeFile(join(dir.path, 'index.html'), '<meta property="csp-nonce" nonce="PD_CSP_NONCE"><script nonce="PD_CSP_NONCE" src="./assets/a.js"></script>');
    await mkdir(join(dir.path, 'assets'));
    await writeFile(join(dir.path, 'assets/a.js'), 'console.log(1)');
    await writeFile(join(outside.path, 'secret.txt'), 'top secret');
    await symlink(join(outside.path, 'secret.txt'), join(dir.path, 'assets/link.txt'));
    server = createServer(staticPage(dir.path));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await dir[Symbol.asyncDispose]();
    await outside[Symbol.asyncDispose]();
  });

  it('serves the page with a strict CSP and a new style nonce in each response', async () => {
    const a = await get(port, '/');
    const b = await get(port, '/index.html');
    expect(a.status).toBe(200);
    const csp = String(a.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(a.body).toContain(`nonce="${nonce}"`);
    expect(a.body).not.toContain('PD_CSP_NONCE');
    expect(String(b.headers['content-security-policy'])).not.toContain(nonce);
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    expect(a.headers['cache-control']).toBe('no-store');
  });

  it('serves assets with their type, HEAD too', async () => {
    const js = await get(port, '/assets/a.js');
    expect(js).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(await get(port, '/assets/a.js', 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it.each([
    ['/../../../../etc/passwd'],
    ['/assets/../../../etc/passwd'],
    ['/%2e%2e/%2e%2e/etc/passwd'],
    ['/assets/%2e%2e%2f%2e%2e%2fetc/passwd'],
    ['/assets/a.js%00.png'],
    ['/%E0%A4%A'],
  ])('refuses %s without reading outside the directory', async (path) => {
    const r = await get(port, path);
    expect([400, 404]).toContain(r.status);
    expect(r.body).not.toContain('root:');
  });

  it('does not follow a symbolic link out of the directory, and 404s what is not there', async () => {
    expect(await get(port, '/assets/link.txt')).toMatchObject({ status: 404 });
    expect(await get(port, '/nothing.js')).toMatchObject({ status: 404 });
    expect(await get(port, '/assets')).toMatchObject({ status: 404 });
  });

  it('answers only GET and HEAD', async () => {
    const r = await get(port, '/', 'POST');
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET, HEAD');
  });
});
