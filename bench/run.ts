/**
 * npm run bench [-- --quick | --smoke] [--only wake,claim,...]
 * Runs every scenario against a fresh embedded bridge (the built dist/argybargy.mjs)
 * on 127.0.0.1, prints one JSON line and one human line each, and writes
 * bench/results/*.json.
 */
import { existsSync } from 'node:fs';
import { BUNDLE, embedded } from './lib/target.js';
import { claim } from './scenarios/claim.js';
import { coldstart } from './scenarios/coldstart.js';
import { parked } from './scenarios/parked.js';
import { throughput } from './scenarios/throughput.js';
import type { RunOptions } from './scenarios/types.js';
import { wake } from './scenarios/wake.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const quick = smoke || args.includes('--quick');
const onlyArg =
  args.find((a) => a.startsWith('--only='))?.slice(7) ??
  (args.includes('--only') ? args[args.indexOf('--only') + 1] : '');
const only = new Set(onlyArg ? onlyArg.split(',') : []);
const want = (name: string) => only.size === 0 || only.has(name);

if (!existsSync(BUNDLE)) {
  console.error('bench: dist/argybargy.mjs is missing; run npm run build first.');
  process.exit(1);
}

const opts: RunOptions = { quick, smoke, target: (env) => embedded(env) };
const results = [];
if (want('coldstart')) results.push(await coldstart(opts));
if (want('wake')) results.push(await wake(opts));
if (want('claim')) results.push(await claim(opts));
if (want('throughput')) results.push(await throughput(opts));
const sizes = process.env.BENCH_PARKED
  ? process.env.BENCH_PARKED.split(',').map(Number)
  : smoke
    ? [100]
    : quick
      ? [1000]
      : [1000, 5000, 10_000];
if (want('parked')) for (const n of sizes) results.push(await parked(opts, n));

const missed = results.flatMap((r) =>
  r.goals.filter((g) => !g.met).map((g) => `${r.scenario}: ${g.metric} ${g.value}`),
);
console.log(missed.length ? `\nTargets missed: ${missed.join('; ')}` : '\nEvery target met.');
