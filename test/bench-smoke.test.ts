import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ROOT = new URL('..', import.meta.url).pathname;

describe('npm run bench', () => {
  it('runs every scenario end to end (smoke sizes) against the built bridge', () => {
    const r = spawnSync('bash', ['bench/run.sh', '--smoke'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_NO_WRITE: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
    const scenarios = lines.map((l) => JSON.parse(l).scenario);
    assert.deepEqual(scenarios, ['coldstart', 'wake', 'claim', 'mcp', 'throughput', 'parked-100']);
    const tp = JSON.parse(lines[4]).metrics;
    assert.equal(tp.lost, 0);
    assert.equal(tp.duplicates, 0);
    assert.equal(JSON.parse(lines[2]).metrics.rounds_without_exactly_one_winner, 0);
  });
});
