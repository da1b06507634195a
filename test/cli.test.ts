import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { request, startBridge, tempDir } from './helpers.js';
import { runCliInProcess } from './support/processes.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** Runs the CLI in-process and captures what a user would see (on a terminal with `isTTY`). */
const cli = (args: string[], env: Record<string, string> = {}, isTTY = false) => runCliInProcess(args, env, { isTTY });

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

  it('escapes terminal control sequences an agent sends, on a terminal; pipes get the data as it is', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('human', 'tty');
    const evil = await b.invite('evil', 'tty');
    const payload = 'hi\u001b]0;pwned\u0007\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u009b31m\u202eevil done';
    await b.call('POST', '/messages', { code: evil, body: { text: payload } });
    const env = { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: me };
    const tty = await cli(['listen', '--once', '--wait', '0'], env, true);
    assert.equal(tty.code, 0, tty.stderr);
    const unsafe = (out: string) => /[\p{Cc}\u202e]/u.test(out.replace(/\n/g, ''));
    assert.ok(!unsafe(tty.stdout), JSON.stringify(tty.stdout));
    assert.ok(tty.stdout.includes('hi\\x1b]0;pwned\\x07'), tty.stdout);
    assert.ok(tty.stdout.includes('\\x9b31m\\u{202e}evil done'), tty.stdout);
    const ttyJson = await cli(['listen', '--once', '--wait', '0', '--json'], env, true);
    assert.ok(!unsafe(ttyJson.stdout), 'JSON on a terminal is escaped too');
    const piped = await cli(['listen', '--once', '--wait', '0', '--json'], env);
    assert.equal(JSON.parse(piped.stdout.trim()).text, payload, 'a pipe gets the text exactly');
  });

  it('lists webhooks and removes one, through the bridge or on the data directory', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_WEBHOOK_PRIVATE: '1' });
    const me = await b.invite('hooked', 'wh');
    await b.call('POST', '/webhook', { code: me, body: { url: 'http://127.0.0.1:9/notify?key=secret' } });
    const env = { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: new URL(b.url).port };
    const list = await cli(['webhooks'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /wh\s+hooked\s+http:\/\/127\.0\.0\.1:9\/notify\s+ok/);
    assert.ok(!list.stdout.includes('secret'));
    const json = JSON.parse((await cli(['webhooks', '--json', '--room', 'wh'], env)).stdout);
    assert.deepEqual([json.length, json[0].name, json[0].active], [1, 'hooked', true]);
    const missing = await cli(['webhooks', 'remove', 'nobody', '--room', 'wh'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /has no webhook/);
    const rm = await cli(['webhooks', 'remove', 'hooked', '--room', 'wh'], env);
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual((await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks, []);
    await b.close();
    assert.match((await cli(['webhooks'], env)).stdout, /No webhooks/, 'works on the data directory without a bridge');
  });
});
