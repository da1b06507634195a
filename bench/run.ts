/**
 * npm run bench [-- --quick | --smoke] [--only wake,claim,...] [--no-cluster]
 *
 * Runs every scenario against a fresh embedded bridge (the built dist/argybargy.mjs)
 * on 127.0.0.1, then the same scenarios against a two-node cluster on the machine's
 * PostgreSQL and Redis (when they answer), prints one JSON line and one human line
 * per run, writes bench/results/*.json, and ends with the two side by side.
 */
import { existsSync } from 'node:fs';
import { cluster, clusterServicesUp } from './lib/cluster.js';
import type { Result } from './lib/report.js';
import { BUNDLE, embedded } from './lib/target.js';
import { claim } from './scenarios/claim.js';
import { coldstart } from './scenarios/coldstart.js';
import { mcp } from './scenarios/mcp.js';
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

const sizes = process.env.BENCH_PARKED
  ? process.env.BENCH_PARKED.split(',').map(Number)
  : smoke
    ? [100]
    : quick
      ? [1000]
      : [1000, 5000, 10_000];

async function suite(opts: RunOptions, withColdstart: boolean, parkedSizes: number[]): Promise<Result[]> {
  const out: Result[] = [];
  if (withColdstart && want('coldstart')) out.push(await coldstart(opts));
  if (want('wake')) out.push(await wake(opts));
  if (want('claim')) out.push(await claim(opts));
  if (want('mcp')) out.push(await mcp(opts));
  if (want('throughput')) out.push(await throughput(opts));
  if (want('parked')) for (const n of parkedSizes) out.push(await parked(opts, n));
  return out;
}

const results = await suite({ quick, smoke, target: (env) => embedded(env) }, true, sizes);

let clustered: Result[] = [];
if (!args.includes('--no-cluster') && !smoke) {
  if (await clusterServicesUp()) {
    clustered = await suite(
      { quick, smoke, target: (env) => cluster(2, env) },
      false,
      sizes.filter((n) => n <= 5000),
    );
  } else {
    console.log('\nbench: PostgreSQL or Redis is not answering; the cluster run is skipped.');
  }
}

if (clustered.length > 0) {
  const KEYS: Record<string, string[]> = {
    wake: ['p50_ms', 'p99_ms'],
    claim: ['p50_ms', 'p99_ms'],
    mcp: ['modern_wake_p50_ms', 'legacy_wake_p50_ms', 'modern_call_p50_ms'],
    throughput: ['deliveries_per_s', 'latency_p50_ms', 'lost', 'duplicates'],
  };
  console.log('\nEmbedded vs cluster (2 nodes):');
  for (const c of clustered) {
    const e = results.find((r) => r.scenario === c.scenario);
    const keys = KEYS[c.scenario] ?? ['rss_during_mb', 'fanout_ms', 'errors'];
    const cells = keys.map((k) => `${k} ${e?.metrics[k] ?? '-'} | ${c.metrics[k]}`);
    console.log(`  ${c.scenario.padEnd(13)} ${cells.join('   ')}`);
  }
}

const missed = [...results, ...clustered].flatMap((r) =>
  r.goals.filter((g) => !g.met).map((g) => `${r.scenario}/${r.mode}: ${g.metric} ${g.value}`),
);
console.log(missed.length ? `\nTargets missed: ${missed.join('; ')}` : '\nEvery target met.');
