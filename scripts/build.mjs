// Builds the bridge: the server bundle (esbuild, scripts/bundle.mjs) and the dashboard
// (Vite, web/vite.config.ts), then records which sources it was built from
// (scripts/freshness.mjs). `--if-stale` builds only when dist/ is not the build of the
// sources as they are now; `npm start` runs it, so a start with nothing changed takes
// a fraction of a second and an edited source is built before it runs.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleOptions } from './bundle.mjs';
import { decide, readState, STAMP } from './freshness.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

// The digest is taken before building, so an edit made during the build is caught next time.
const state = readState(root);
if (process.argv.includes('--if-stale')) {
  const { build: needed, reason } = decide(state);
  console.log(`argybargy build: ${reason}${needed ? ', building' : ', nothing to do'}`);
  if (!needed) process.exit(0);
}

// Loaded only now: the bundlers take longer to load than the check above takes to run.
const { build } = await import('esbuild');
const { build: viteBuild } = await import('vite');

// A build that fails halfway leaves no stamp, so the next `--if-stale` builds again.
rmSync(STAMP, { force: true });
rmSync('dist/chunks', { recursive: true, force: true });
// Source maps an older build left behind.
rmSync('dist/argybargy.mjs.map', { force: true });

await build(bundleOptions);
chmodSync('dist/argybargy.mjs', 0o755);
await viteBuild({ configFile: 'web/vite.config.ts' });

writeFileSync(STAMP, `${JSON.stringify({ digest: state.digest })}\n`);
