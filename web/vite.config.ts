import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is served by the bridge at /dashboard; the build lands in dist/web
// next to the server bundle. No CDN and no inline scripts, so a strict
// Content-Security-Policy holds.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
  logLevel: 'warn',
});
