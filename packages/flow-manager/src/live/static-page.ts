import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The placeholder the page's build writes where each response's style nonce goes (Vite `html.cspNonce`). */
export const NONCE_PLACEHOLDER = 'PD_CSP_NONCE';

/**
 * The page's Content-Security-Policy: scripts, styles, fonts and images from the service only, connections to
 * the service only (Socket.IO), no frames, no forms posting elsewhere, no plugins. Styles may also come from
 * `<style>` elements carrying this response's nonce (the terminal, xterm.js, writes its own).
 */
export const contentSecurityPolicy = (nonce: string): string =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
} as const;

/**
 * An HTTP request handler serving a built page (the dashboard's) from `dir`: GET and HEAD only, files inside `dir`
 * only (symbolic links out of it refused), `index.html` for `/`, with a strict CSP and no caching of the page
 * itself (assets are content-hashed, cached for a year). Nothing in the page is secret: every piece of data comes
 * over Socket.IO, which takes the service token.
 */
export function staticPage(dir: string): (req: IncomingMessage, res: ServerResponse) => void {
  let root: Promise<string> | undefined;
  return (req, res) => {
    root ??= realpath(dir);
    void serve(root, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  };
}

function send(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

async function serve(rootP: Promise<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return send(res, 400, 'bad path');
  }
  if (path.includes('\0') || path.split('/').includes('..')) return send(res, 400, 'bad path');
  const root = await rootP;
  if (path === '/' || path === '/index.html') return page(root, req, res);
  const file = await realpath(join(root, path)).catch(() => undefined);
  const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (file === undefined || !file.startsWith(root + sep) || info === undefined || !info.isFile()) return send(res, 404, 'not found');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(info.size),
    'Cache-Control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

async function page(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const nonce = randomBytes(16).toString('base64');
  const html = (await readFile(join(root, 'index.html'), 'utf8')).replaceAll(NONCE_PLACEHOLDER, nonce);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': contentSecurityPolicy(nonce),
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}
