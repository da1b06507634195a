import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';
import { parseDocument } from 'yaml';
import { INPUTS } from '../scripts/freshness.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

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

/** The Compose keys a service may have (compose-spec); anything else is a typo that `docker compose` refuses. */
const SERVICE_KEYS = new Set([
  'build',
  'command',
  'container_name',
  'depends_on',
  'entrypoint',
  'env_file',
  'environment',
  'expose',
  'healthcheck',
  'image',
  'labels',
  'networks',
  'ports',
  'profiles',
  'restart',
  'stop_grace_period',
  'stop_signal',
  'user',
  'volumes',
  'working_dir',
]);
const TOP_KEYS = new Set(['name', 'services', 'volumes', 'networks', 'configs', 'secrets']);

interface Service {
  profiles?: string[];
  image?: string;
  build?: string | { context: string };
  environment?: Record<string, string> | string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test: string[] | string };
  [key: string]: unknown;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** `${VAR:-default}` and `${VAR-default}` as Compose renders them with VAR unset; a bare `${VAR}` becomes ''. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, _name, dflt) => dflt ?? '');
}

describe('docker-compose.yml', () => {
  // Parsed as YAML 1.2 with merge keys (`<<: *node`), as Compose reads it; no docker-compose binary needed.
  const doc = parseDocument(read('docker-compose.yml'), { merge: true, uniqueKeys: true });
  const file = doc.toJS() as ComposeFile;
  const services = Object.entries(file.services ?? {});
  /** The services `docker compose --profile …` starts: those without profiles, and those in one of `profiles`. */
  const enabled = (...profiles: string[]) =>
    new Set(
      services.filter(([, s]) => !s.profiles || s.profiles.some((p) => profiles.includes(p))).map(([name]) => name),
    );

  it('is well-formed YAML with only Compose keys', () => {
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(doc.warnings, []);
    for (const key of Object.keys(file)) assert.ok(TOP_KEYS.has(key), `top-level key ${key}`);
    assert.ok(services.length > 0);
    for (const [name, s] of services) {
      assert.match(name, /^[a-z0-9][a-z0-9_.-]*$/, 'a service name Compose accepts');
      for (const key of Object.keys(s)) assert.ok(SERVICE_KEYS.has(key), `${name}: unknown key ${key}`);
      assert.ok(s.image || s.build, `${name} has an image or a build`);
      if (s.profiles) {
        assert.ok(Array.isArray(s.profiles) && s.profiles.every((p) => typeof p === 'string'), `${name}: profiles`);
      }
      for (const p of s.ports ?? [])
        assert.match(p, /^(\d{1,3}(\.\d{1,3}){3}:)?\d{1,5}:\d{1,5}$/, `${name}: port ${p}`);
      const env = s.environment ?? {};
      assert.ok(!Array.isArray(env), `${name}: environment as a mapping`);
      for (const [k, v] of Object.entries(env)) {
        assert.equal(typeof v, 'string', `${name}: ${k} is a string (quote numbers and booleans)`);
        assert.doesNotMatch(interpolate(v), /\$\{/, `${name}: ${k} interpolates cleanly`);
      }
      if (s.healthcheck) assert.ok(s.healthcheck.test, `${name}: a healthcheck has a test`);
    }
  });

  it('uses only declared named volumes and existing bind-mounted files', () => {
    for (const [name, s] of services) {
      for (const v of s.volumes ?? []) {
        const [source, target] = v.split(':');
        assert.ok(target?.startsWith('/'), `${name}: ${v} mounts on an absolute path`);
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(join(ROOT, source)), `${name}: ${source} exists`);
        } else {
          assert.ok(file.volumes && source in file.volumes, `${name}: volume ${source} is declared`);
        }
      }
      const built = typeof s.build === 'string' ? s.build : s.build?.context;
      if (built) assert.ok(existsSync(join(ROOT, built, 'Dockerfile')), `${name}: builds from a Dockerfile`);
    }
  });

  it('is valid with every profile: each started service depends only on started services', () => {
    for (const profiles of [[], ['tunnel'], ['cluster'], ['tunnel', 'cluster']]) {
      const on = enabled(...profiles);
      for (const name of on) {
        const deps = file.services[name].depends_on ?? [];
        const entries = Array.isArray(deps) ? deps.map((d) => [d, {}] as const) : Object.entries(deps);
        for (const [dep, how] of entries) {
          assert.ok(on.has(dep), `${profiles.join('+') || 'default'}: ${name} depends on ${dep}, which is not started`);
          const condition = (how as { condition?: string }).condition;
          if (condition) {
            assert.ok(
              ['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition),
              condition,
            );
            if (condition === 'service_healthy') assert.ok(file.services[dep].healthcheck, `${dep} has a healthcheck`);
          }
        }
      }
    }
  });

  it('runs the bridge alone by default, adds the tunnel and the cluster under their profiles', () => {
    assert.deepEqual([...enabled()], ['bridge']);
    const profilesOf = (name: string) => file.services[name]?.profiles ?? [];
    assert.deepEqual([profilesOf('tunnel'), profilesOf('tunnel-url')], [['tunnel'], ['tunnel']]);
    for (const s of ['postgres', 'redis', 'bridge-1', 'bridge-2', 'balancer'])
      assert.deepEqual(profilesOf(s), ['cluster'], s);
    for (const node of ['bridge-1', 'bridge-2']) {
      const env = file.services[node].environment as Record<string, string>;
      assert.equal(
        interpolate(env.ARGYBARGY_DATABASE_URL),
        'postgres://argybargy:argybargy@postgres:5432/argybargy',
        `${node}: the merged node settings`,
      );
      assert.equal(env.ARGYBARGY_REDIS_URL, 'redis://redis:6379');
    }
    assert.ok(file.services.bridge.volumes?.includes('argybargy-data:/data'));
    assert.ok(file.services.bridge.ports?.includes('127.0.0.1:8765:8765'));
  });
});
