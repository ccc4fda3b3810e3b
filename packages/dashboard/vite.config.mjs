// The page's build: web/ -> dist/page (content-hashed assets, no inline script, a nonce placeholder that the
// serving flow-manager replaces per response for the terminal's <style> elements; see static-page.ts there).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: `${here}web`,
  base: './',
  publicDir: false,
  html: { cspNonce: 'PD_CSP_NONCE' },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: `${here}dist/page`,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
});
