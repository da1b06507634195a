import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';
import { INPUTS } from '../scripts/freshness.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const hasCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
if (!hasCompose && process.env.CI === 'true')
  throw new Error('CI needs docker-compose to check the compose file (.ci/run installs it).');

describe('Docker image', () => {
  const df = read('Dockerfile');
  it('builds in two stages and runs the built bridge as a non-root user with its state in /data', () => {
    assert.equal((df.match(/^FROM /gm) ?? []).length, 2, 'a build stage and a runtime stage');
    assert.match(df, /^FROM \$\{NODE_IMAGE\} AS runtime$/m);
    assert.match(df, /npm prune --omit=dev/);
    assert.match(df, /^USER node$/m);
    assert.match(df, /^VOLUME \["\/data"\]$/m);
    assert.match(df, /ARGYBARGY_DATA=\/data/);
    assert.match(df, /ARGYBARGY_HOST=0\.0\.0\.0/);
    assert.match(df, /^EXPOSE 8765$/m);
    assert.match(df, /^HEALTHCHECK .*\n.*\/health/m);
    assert.match(
      df,
      /^ENTRYPOINT \["node", "\/app\/dist\/argybargy\.mjs"\]$/m,
      'node is PID 1 and gets SIGTERM itself',
    );
    assert.match(
      df,
      /ln -s \/app\/dist\/argybargy\.mjs \/usr\/local\/bin\/argybargy/,
      'argybargy is on PATH for docker compose exec',
    );
  });

  it('is based on a Node.js release the package supports, and builds from everything the build reads', () => {
    const major = /^ARG NODE_IMAGE=node:(\d+)-bookworm-slim$/m.exec(df)?.[1];
    assert.ok(major, 'a node:<major>-bookworm-slim default base');
    const engines = JSON.parse(read('package.json')).engines.node;
    assert.ok(semver.satisfies(`${major}.99.0`, engines), `Node ${major} is in engines (${engines})`);
    assert.ok(Number(major) >= 22, 'an LTS release still supported (Node 20 ended in April 2026)');
    const copied = [...df.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    for (const input of INPUTS) assert.ok(copied.includes(input), `the build stage copies ${input}`);
    assert.match(df, /^RUN npm run build/m, 'the same build as npm run build');
  });

  it('leaves dependencies, builds and secrets out of the build context', () => {
    const ignore = read('.dockerignore').split('\n');
    for (const p of ['node_modules', 'dist', '.git', 'test-output']) assert.ok(ignore.includes(p), p);
  });
});

describe('docker-compose.yml', { skip: hasCompose ? false : 'docker-compose is not installed' }, () => {
  const config = (...profiles: string[]) =>
    spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...profiles.flatMap((p) => ['--profile', p]), 'config'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  it('is valid with every profile', () => {
    for (const profiles of [[], ['tunnel'], ['cluster'], ['tunnel', 'cluster']]) {
      const r = config(...profiles);
      assert.equal(r.status, 0, `${profiles.join('+') || 'default'}: ${r.stderr}`);
    }
  });

  it('runs the bridge alone by default, adds the tunnel and the cluster under their profiles', () => {
    // The rendered file, merges expanded: each service with the profiles it belongs to.
    const rendered = config('tunnel', 'cluster').stdout;
    let lastKey = '';
    const profiles: Record<string, string[]> = {};
    let current = '';
    let inServices = false;
    for (const line of rendered.split('\n')) {
      if (/^services:/.test(line)) inServices = true;
      else if (/^\S/.test(line)) inServices = false;
      const svc = inServices ? /^ {2}([\w-]+):$/.exec(line) : null;
      if (svc) {
        current = svc[1];
        profiles[current] = [];
      } else if (inServices && /^ {4}- /.test(line) && lastKey === 'profiles')
        profiles[current].push(line.trim().slice(2));
      const key = /^ {4}([\w_]+):/.exec(line);
      if (key) lastKey = key[1];
    }
    assert.deepEqual(profiles.bridge, []);
    assert.deepEqual([profiles.tunnel, profiles['tunnel-url']], [['tunnel'], ['tunnel']]);
    for (const s of ['postgres', 'redis', 'bridge-1', 'bridge-2', 'balancer'])
      assert.deepEqual(profiles[s], ['cluster'], s);
    const full = config('cluster').stdout;
    assert.match(full, /ARGYBARGY_DATABASE_URL: postgres:\/\/argybargy:argybargy@postgres:5432\/argybargy/);
    assert.match(full, /ARGYBARGY_REDIS_URL: redis:\/\/redis:6379/);
    assert.match(config().stdout, /argybargy-data:\/data/);
  });
});
