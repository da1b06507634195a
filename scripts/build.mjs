// Bundles the bridge into one ES module (dist/argybargy.mjs). One file loads several
// times faster than the hundreds a plain compile leaves behind, which is most of the
// cold start. Packages that must stay on disk (a native addon, static assets, worker
// files) are left external and come from node_modules at run time.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';

const external = ['better-sqlite3', '@fastify/swagger-ui', 'pino-pretty', 'pg', 'ioredis'];

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/argybargy.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  // Bundled CommonJS code calls require(); give it a real one.
  banner: { js: "import { createRequire as __argybargyRequire } from 'node:module';\nconst require = __argybargyRequire(import.meta.url);" },
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});
chmodSync('dist/argybargy.mjs', 0o755);
