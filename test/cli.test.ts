import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { request, startBridge, tempDir } from './helpers.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** Runs the CLI in-process and captures what a user would see. */
async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: { ...env },
  });
  return { code, stdout, stderr };
}

/** Spawns the real CLI as a child process. */
function spawnCli(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ReturnType<typeof spawnCli>) {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    out.stderr += d;
  });
  const exit = new Promise<number>((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 : 1))));
  return { out, exit };
}

describe('argybargy CLI', () => {
  it('prints help and the version', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    for (const c of ['serve', 'token', 'invite']) assert.match(help.stdout, new RegExp(c));
    assert.equal((await cli([])).code, 0);
    assert.match((await cli(['--version'])).stdout, /^\d+\.\d+\.\d+/);
    const inviteHelp = await cli(['invite', '--help']);
    assert.match(inviteHelp.stdout, /Example/);
  });

  it('exits 2 on bad usage', async () => {
    const r = await cli(['nonsense']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command/);
    assert.equal((await cli(['invite'])).code, 2, 'missing --name');
  });

  it('token prints the admin token and creates it 0600 on first use', async (t) => {
    const dir = tempDir(t);
    const r = await cli(['token'], { ARGYBARGY_DATA: dir });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^[A-Za-z0-9_-]{32}\n$/);
    assert.equal(statSync(join(dir, 'admin.token')).mode & 0o777, 0o600);
    assert.equal((await cli(['token'], { ARGYBARGY_DATA: dir })).stdout, r.stdout);
  });

  it('invite writes a working code into the data dir of a running bridge', async (t) => {
    const b = await startBridge(t);
    const port = new URL(b.url).port;
    const r = await cli(
      ['invite', '--name', 'reviewer', '--room', 'build', '--capabilities', 'reviews TS', '--expires', '1d'],
      {
        ARGYBARGY_DATA: b.dir,
        ARGYBARGY_PORT: port,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    const code = /^ {2}(\S+)$/m.exec(r.stdout)?.[1] ?? '';
    assert.ok(code.length >= 22);
    assert.ok(r.stdout.includes(`Bearer ${code}`));
    assert.ok(r.stdout.includes(b.url));
    const me = await request(b.url, 'GET', '/whoami', { code });
    assert.deepEqual(me.body, { name: 'reviewer', room: 'build', capabilities: 'reviews TS' });
    const json = await cli(['invite', '--name', 'j', '--json'], { ARGYBARGY_DATA: b.dir });
    assert.equal(JSON.parse(json.stdout).name, 'j');
  });

  it('invite refuses a bad expiry or name with a one-line message', async (t) => {
    const dir = tempDir(t);
    const r = await cli(['invite', '--name', 'x', '--expires', 'soonish'], { ARGYBARGY_DATA: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^argybargy: Could not read expires/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal((await cli(['invite', '--name', 'all'], { ARGYBARGY_DATA: dir })).code, 2);
  });

  it('stops start-up on a malformed variable, naming it', async (t) => {
    const dir = tempDir(t);
    const child = spawnCli(['serve'], { ARGYBARGY_DATA: dir, ARGYBARGY_PORT: 'abc' });
    const { out, exit } = collect(child);
    assert.equal(await exit, 1);
    assert.match(out.stderr, /ARGYBARGY_PORT/);
    assert.doesNotMatch(out.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('serve starts a real bridge, says where the token is, and stops cleanly on SIGTERM', async (t) => {
    const dir = tempDir(t);
    const child = spawnCli(['serve', '--port', '0', '--data', dir], { ARGYBARGY_LOG_LEVEL: 'warn' });
    const { out, exit } = collect(child);
    t.after(() => child.kill('SIGKILL'));
    const started = Date.now();
    while (!/listening on (http:\S+)/.test(out.stderr) && Date.now() - started < 15_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /listening on (http:\S+)/.exec(out.stderr)?.[1];
    assert.ok(url, out.stderr);
    assert.ok(out.stderr.includes(join(dir, 'admin.token')));
    assert.equal((await request(url, 'GET', '/health')).body.status, 'ok');
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });
});
