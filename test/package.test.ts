import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import semver from 'semver';
import { bundleOptions, external } from '../scripts/bundle.mjs';
import { request, tempDir } from './helpers.js';
import { collectOutput } from './support/processes.js';

const ROOT = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const ENGINES: string = pkg.engines.node;
const exec = promisify(execFile);

/** Scripts npm runs on its own when the package is installed (from the registry, a tarball or git). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack'];

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Every package.json under a node_modules folder, with its path relative to it. */
function installedPackages(nodeModules: string): { path: string; manifest: any }[] {
  const found: { path: string; manifest: any }[] = [];
  const walk = (dir: string, prefix: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      if (entry.name.startsWith('@')) {
        walk(join(dir, entry.name), `${prefix}${entry.name}/`);
        continue;
      }
      const at = join(dir, entry.name);
      const file = join(at, 'package.json');
      if (existsSync(file)) found.push({ path: prefix + entry.name, manifest: JSON.parse(readFileSync(file, 'utf8')) });
      walk(join(at, 'node_modules'), `${prefix}${entry.name}/node_modules/`);
    }
  };
  walk(nodeModules, '');
  return found;
}

describe('Node versions', () => {
  it('engines names Node 20 and the LTS releases, and this Node is one of them', () => {
    for (const v of ['20.19.0', '20.20.2', '22.13.0', '22.20.0', '24.0.0', '24.11.0'])
      assert.ok(semver.satisfies(v, ENGINES), `${v} in ${ENGINES}`);
    assert.ok(semver.satisfies(process.version, ENGINES), `${process.version} in ${ENGINES}`);
  });

  it('every package npm ci installs supports every Node version engines names', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    assert.equal(lock.packages[''].engines?.node, ENGINES, 'package-lock.json is in step with package.json');
    const refused: string[] = [];
    let checked = 0;
    for (const [path, entry] of Object.entries<any>(lock.packages)) {
      const range = entry.engines?.node;
      if (!path || typeof range !== 'string') continue;
      checked++;
      if (!semver.subset(ENGINES, range))
        refused.push(`${path}@${entry.version}${entry.dev ? ' (dev)' : ''}: ${range}`);
    }
    assert.ok(checked > 50, `only ${checked} packages declare engines: is this the right lockfile?`);
    assert.deepEqual(refused, [], `these do not run on every Node in ${ENGINES}`);
  });
});

describe('the published package', () => {
  it('holds only what runs, and depends only on what the bundle leaves external', async () => {
    assert.equal(pkg.private, undefined, 'publishable: no "private": true');
    for (const s of INSTALL_SCRIPTS)
      assert.equal(pkg.scripts?.[s], undefined, `no ${s} script: it would run on install`);
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), [...external].sort(), 'dependencies = the externals');
    // What the bundle really imports from node_modules, from esbuild's own account.
    const { metafile } = await build({ ...bundleOptions, write: false, metafile: true, logLevel: 'silent' });
    const imported = new Set<string>();
    for (const out of Object.values(metafile.outputs))
      for (const i of out.imports)
        if (i.external && !i.path.startsWith('node:') && !builtinModules.includes(i.path))
          imported.add(packageOf(i.path));
    assert.deepEqual([...imported].sort(), Object.keys(pkg.dependencies).sort(), 'each dependency is imported');
  });

  it('installs from its tarball into an empty folder and runs there: npx argybargy up, health, invite from a second terminal, Ctrl-C', async (t) => {
    const work = tempDir(t, 'argybargy-pack-');
    assert.ok(existsSync(join(ROOT, 'dist/argybargy.mjs')), 'npm run build first');
    const packed = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
    const [info] = JSON.parse(packed.stdout);
    const files: string[] = info.files.map((f: { path: string }) => f.path);
    for (const f of ['package.json', 'README.md', 'dist/argybargy.mjs', 'dist/web/index.html'])
      assert.ok(files.includes(f), `${f} is in the tarball`);
    assert.deepEqual(
      files.filter(
        (f) => f.endsWith('.map') || f.includes('.build-stamp') || !/^(dist\/|README\.md$|package\.json$)/.test(f),
      ),
      [],
      'no source maps, no build stamp, no sources, tests or scripts',
    );

    // The tarball, installed as a user would, with nothing else around it.
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name":"try-argybargy","private":true}\n');
    // --ignore-scripts: the one install script of the runtime tree is better-sqlite3's
    // (checked below), which compiles the addon for a minute and more; the same version's
    // addon is taken from this checkout instead.
    const install = await exec(
      'npm',
      [
        'install',
        '--omit=dev',
        '--ignore-scripts',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        join(work, info.filename),
      ],
      { cwd: app },
    ).catch((err: { stderr?: string; message: string }) => ({ error: `${err.message}\n${err.stderr ?? ''}` }));
    if ('error' in install) {
      const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH/.test(install.error);
      if (offline && process.env.CI !== 'true') {
        t.skip(`the npm registry is out of reach, so the tarball's dependencies cannot be installed: ${install.error}`);
        return;
      }
      assert.fail(`npm install of the tarball failed:\n${install.error}`);
    }
    const installed = installedPackages(join(app, 'node_modules'));
    const withScripts = installed
      .filter(({ manifest }) => ['preinstall', 'install', 'postinstall'].some((s) => manifest.scripts?.[s]))
      .map(({ path }) => path);
    assert.deepEqual(withScripts, ['better-sqlite3'], 'only better-sqlite3 has an install script to skip');
    const sqlite = join(app, 'node_modules/better-sqlite3');
    const ours = JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')).version;
    assert.equal(JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')).version, ours);
    mkdirSync(join(sqlite, 'build/Release'), { recursive: true });
    copyFileSync(
      join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      join(sqlite, 'build/Release/better_sqlite3.node'),
    );
    const names = installed.map(({ path }) => path.split('/node_modules/').pop());
    for (const dev of ['fastify', 'commander', 'esbuild', 'vite', 'typescript'])
      assert.ok(!names.includes(dev), `${dev} is bundled or a dev tool, not installed`);
    const unsupported = installed
      .filter(
        ({ manifest }) => typeof manifest.engines?.node === 'string' && !semver.subset(ENGINES, manifest.engines.node),
      )
      .map(({ path, manifest }) => `${path}: ${manifest.engines.node}`);
    assert.deepEqual(unsupported, [], `what a user installs runs on every Node in ${ENGINES}`);

    // The README's line, verbatim in the folder the tarball went into: npx runs the
    // installed command (--no: it never fetches a package). It runs in a process group
    // of its own, as a terminal's foreground job does, so Ctrl-C (SIGINT to the group)
    // can stop it the way a user does.
    const data = tempDir(t);
    const home = tempDir(t);
    const env = { PATH: process.env.PATH ?? '', HOME: home, ARGYBARGY_DATA: data, ARGYBARGY_LOG_LEVEL: 'warn' };
    const child = spawn('npx', ['--no', 'argybargy', 'up', '--no-tunnel', '--port', '0'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    t.after(() => {
      // Its whole process group, so nothing is left holding the pipes.
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    const out = collectOutput(child);
    const t0 = Date.now();
    while (!/argybargy is up/.test(out.stdout) && child.exitCode === null && Date.now() - t0 < 30_000)
      await new Promise((r) => setTimeout(r, 50));
    const url = /local URL: +(http:\/\/\S+)/.exec(out.stdout)?.[1];
    assert.ok(url, `up did not say it is up:\n${out.stdout}\n${out.stderr}`);
    assert.equal((await request(url, 'GET', '/health')).status, 200);
    const dashboard = await request(url, 'GET', '/dashboard');
    assert.equal(dashboard.status, 200);
    assert.match(dashboard.text, /<script/, 'the dashboard from the tarball');
    assert.equal((await request(url, 'GET', '/docs/')).status, 200, '@fastify/swagger-ui and its static files');

    // A second terminal knows neither the port nor anything else: the running bridge's
    // record in the data directory tells it.
    assert.ok(existsSync(join(data, 'bridge.json')), 'the running bridge records where it listens');
    const invite = await exec('npx', ['--no', 'argybargy', 'invite', '--name', 'alice', '--room', 'build'], {
      cwd: app,
      env,
    });
    assert.ok(invite.stdout.includes(url), 'the paste-in names the running bridge');
    const code = /^ {2}(\S{20,})$/m.exec(invite.stdout)?.[1] ?? '';
    const me = await request(url, 'GET', '/whoami', { code });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.name, 'alice');
    const posted = await request(url, 'POST', '/messages', { code, body: { text: 'hello from the tarball' } });
    assert.equal(posted.status, 200, posted.text);

    // Ctrl-C: SIGINT to the whole foreground group (npx and the bridge under it).
    process.kill(-(child.pid as number), 'SIGINT');
    await exited;
    const t1 = Date.now();
    while (existsSync(join(data, 'bridge.json')) && Date.now() - t1 < 15_000)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(!existsSync(join(data, 'bridge.json')), `a clean shutdown removes the record:\n${out.stderr}`);
    await assert.rejects(request(url, 'GET', '/health'), 'nothing answers once it stopped');
  });
});
