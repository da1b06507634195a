// Bundles the bridge into one ES module (dist/argybargy.mjs). One file loads several
// times faster than the hundreds a plain compile leaves behind, which is most of the
// cold start. Packages that must stay on disk (a native addon, static assets, worker
// files) are left external and come from node_modules at run time.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const external = ['better-sqlite3', '@fastify/swagger-ui', 'pino-pretty', 'pg', 'ioredis'];

rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: { argybargy: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // What loads on demand (the MCP SDK, the cluster drivers' glue) goes to chunks
  // of its own, so start-up parses only what it runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
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
