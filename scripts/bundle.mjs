// How esbuild bundles the bridge into one ES module (dist/argybargy.mjs); scripts/build.mjs
// runs it, test/package.test.ts checks the package against it. One file loads several
// times faster than the hundreds a plain compile leaves behind, which is most of the
// cold start.

/**
 * Packages left out of the bundle, loaded from node_modules at run time: a native addon
 * (better-sqlite3), static assets (@fastify/swagger-ui), a pretty-printer only a terminal
 * gets (pino-pretty), and the cluster drivers, loaded only when configured (pg, ioredis).
 * These, and only these, are the package's `dependencies`.
 */
export const external = ['better-sqlite3', '@fastify/swagger-ui', 'pino-pretty', 'pg', 'ioredis'];

/** esbuild's options, relative to the package root. */
export const bundleOptions = {
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
  // No source maps: they would double the package, and nothing reads them.
  sourcemap: false,
  external,
  // Bundled CommonJS code calls require(); give it a real one.
  banner: {
    js: "import { createRequire as __argybargyRequire } from 'node:module';\nconst require = __argybargyRequire(import.meta.url);",
  },
  minify: true,
  keepNames: true,
  logLevel: 'warning',
};
