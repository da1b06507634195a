import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { findRunningBridge, readBridgeRecord } from '../../src/app/bridge-record.js';
import { dataPaths } from '../../src/app/data-dir.js';
import { startServer } from '../../src/app/server.js';
import { loadConfig } from '../../src/config.js';
import { startBridge, tempDir } from '../helpers.js';
import { BIN, collectOutput, runCli, runCliInProcess, startCli, stopProcess } from '../support/processes.js';

/** A port nobody listens on right now (the OS picks it; closed again before use). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

/** A process id that is not running (a child that has exited). */
async function deadPid(): Promise<number> {
  const done = await startCli(['--version'], {}, /\d/);
  await done.exited;
  return done.child.pid ?? 999_999;
}

describe('the second terminal finds the bridge (bridge.json)', () => {
  it('a bridge on ARGYBARGY_PORT records its address; invite, rooms, post and whoami reach it without the variable; SIGTERM removes it', async (t) => {
    const dir = tempDir(t);
    const port = await freePort();
    const bridge = await startCli(
      ['serve'],
      { ARGYBARGY_DATA: dir, ARGYBARGY_PORT: String(port), ARGYBARGY_LOG_LEVEL: 'warn' },
      /listening on/,
    );
    t.after(() => bridge.child.kill('SIGKILL'));
    const paths = dataPaths(dir);
    const record = readBridgeRecord(paths);
    assert.ok(record, 'bridge.json is written once the bridge listens');
    assert.equal(record.port, port);
    assert.equal(record.url, `http://127.0.0.1:${port}`);
    assert.equal(record.host, '127.0.0.1');
    assert.equal(record.pid, bridge.child.pid);
    assert.ok(!Number.isNaN(Date.parse(record.started)));
    const health = await (await fetch(`${record.url}/health`)).json();
    assert.equal(health.instance, record.instance, 'GET /health answers the instance bridge.json records');
    assert.equal(statSync(paths.bridge).mode & 0o777, 0o600);

    // The other terminal: the data directory only, no port.
    const env = { ARGYBARGY_DATA: dir };
    const invite = await runCli(['invite', '--name', 'alice', '--room', 'build'], env);
    assert.equal(invite.code, 0, invite.stderr);
    assert.ok(invite.stdout.includes(`http://127.0.0.1:${port}`), invite.stdout);
    assert.ok(invite.stdout.includes(`http://127.0.0.1:${port}/mcp`), 'the MCP lines carry the port');
    assert.ok(!invite.stdout.includes(':8765'), invite.stdout);
    const code = /^ {2}(\S+)$/m.exec(invite.stdout)?.[1];
    assert.ok(code);

    const post = await runCli(['post', 'build', 'hello from the operator'], env);
    assert.equal(post.code, 0, post.stderr);
    const rooms = await runCli(['rooms', '--json'], env);
    assert.equal(rooms.code, 0, rooms.stderr);
    assert.match(rooms.stdout, /build/);
    const room = await runCli(['room', 'review'], env);
    assert.equal(room.code, 0, room.stderr);
    assert.ok(room.stdout.includes(`http://127.0.0.1:${port}`));

    // Agent commands without ARGYBARGY_URL use the recorded address too.
    const whoami = await runCli(['whoami'], { ...env, ARGYBARGY_CODE: code });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /alice/);

    // An explicit ARGYBARGY_PORT still wins over the record.
    const other = await freePort();
    const explicit = await runCli(['rooms'], { ...env, ARGYBARGY_PORT: String(other) });
    assert.equal(explicit.code, 1);
    assert.ok(explicit.stderr.includes(`127.0.0.1:${other}`), explicit.stderr);

    await stopProcess(bridge.child);
    assert.equal(bridge.child.exitCode, 0, bridge.out.stderr);
    assert.equal(existsSync(paths.bridge), false, 'a clean shutdown removes bridge.json');
  });

  it('a stale bridge.json (dead pid, or a live pid with nothing answering) is ignored: commands use the defaults', async (t) => {
    const dir = tempDir(t);
    const paths = dataPaths(dir);
    const port = await freePort();
    const stale = (pid: number) =>
      writeFileSync(
        paths.bridge,
        JSON.stringify({
          url: `http://127.0.0.1:${port}`,
          host: '127.0.0.1',
          port,
          pid,
          started: new Date().toISOString(),
          instance: 'stale-instance-0123456789',
        }),
      );
    const fallback = await freePort();
    const env = { ARGYBARGY_DATA: dir, ARGYBARGY_HOST: '127.0.0.1' };

    for (const pid of [await deadPid(), process.pid]) {
      stale(pid);
      assert.equal(await findRunningBridge(paths), null, `pid ${pid}: stale`);
      // ARGYBARGY_HOST alone is set: the port would come from the record, but the record is stale.
      const invite = await runCli(['invite', '--name', `a${pid}`], env);
      assert.equal(invite.code, 0, invite.stderr);
      assert.ok(invite.stdout.includes('http://127.0.0.1:8765'), invite.stdout);
      assert.ok(!invite.stdout.includes(`:${port}`));
      const rooms = await runCli(['rooms'], { ...env, ARGYBARGY_PORT: String(fallback) });
      assert.equal(rooms.code, 1);
      assert.match(rooms.stderr, new RegExp(`no bridge is answering at http://127\\.0\\.0\\.1:${fallback}`));
    }

    for (const [i, junk] of ['not json', '{"url":"http://127.0.0.1:1","port":"x"}', '[]'].entries()) {
      writeFileSync(paths.bridge, junk);
      assert.equal(readBridgeRecord(paths), null, junk);
      const invite = await runCli(['invite', '--name', `junk${i}`, '--json'], { ARGYBARGY_DATA: dir });
      assert.equal(invite.code, 0, invite.stderr);
      assert.equal(JSON.parse(invite.stdout).url, 'http://127.0.0.1:8765');
    }
    assert.ok(readFileSync(paths.bridge, 'utf8'), 'the commands leave the file alone');
  });

  it('a bridge stopping leaves the record of a newer bridge on the same data directory alone', async (t) => {
    const dir = tempDir(t);
    const paths = dataPaths(dir);
    const first = await startBridge(t, {}, { dataDir: dir });
    assert.equal(readBridgeRecord(paths)?.url, first.url);
    const second = await startBridge(t, {}, { dataDir: dir });
    assert.equal(readBridgeRecord(paths)?.url, second.url);
    await first.close();
    assert.equal(readBridgeRecord(paths)?.url, second.url, 'still the running one');
    assert.equal((await findRunningBridge(paths))?.url, second.url);
    await second.close();
    assert.equal(existsSync(paths.bridge), false);
  });
});

/** An HTTP server that is not a bridge: answers every request with `answer` and keeps every request's headers. */
async function impostor(
  t: TestContext,
  answer: (path: string) => unknown = (path) => (path === '/health' ? { status: 'ok' } : {}),
): Promise<{ url: string; port: number; seen: { path: string; headers: Record<string, unknown> }[] }> {
  const seen: { path: string; headers: Record<string, unknown> }[] = [];
  const server = createHttpServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: { ...req.headers } });
    req.resume();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer((req.url ?? '').split('?')[0])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, port, seen };
}

/** Writes a bridge.json naming `url` (host and port taken from it unless given). */
function writeRecord(dir: string, fields: Record<string, unknown>): void {
  writeFileSync(
    dataPaths(dir).bridge,
    JSON.stringify({ pid: 1, started: 'x', instance: 'recorded-instance-0123456789', ...fields }),
  );
}

describe('bridge.json is trusted only for the bridge that wrote it', () => {
  it('a live pid and a server answering /health at the recorded port get neither the admin token nor the invite', async (t) => {
    const dir = tempDir(t);
    const fake = await impostor(t);
    const env = { ARGYBARGY_DATA: dir };
    for (const pid of [1, process.pid]) {
      writeRecord(dir, { url: fake.url, host: '127.0.0.1', port: fake.port, pid });
      // Also the old, instance-less record the QA run wrote by hand.
      for (const cmd of [['rooms'], ['post', 'build', 'hello'], ['close', 'build']]) {
        const r = await runCliInProcess(cmd, env);
        assert.equal(r.code, 1, `${cmd.join(' ')}: ${r.stdout}`);
        assert.match(r.stderr, /ignoring .*bridge\.json: what answers at http:\/\/127\.0\.0\.1:\d+ is not the bridge/);
        assert.match(r.stderr, /no bridge is answering at http:\/\/127\.0\.0\.1:8765/);
      }
      const invite = await runCliInProcess(['invite', '--name', `a${pid}`, '--room', 'build'], env);
      assert.equal(invite.code, 0, invite.stderr);
      assert.ok(!invite.stdout.includes(fake.url), invite.stdout);
      assert.ok(invite.stdout.includes('http://127.0.0.1:8765'));
    }
    writeFileSync(
      dataPaths(dir).bridge,
      JSON.stringify({ url: fake.url, host: '127.0.0.1', port: fake.port, pid: 1, started: 'x' }),
    );
    const old = await runCliInProcess(['rooms'], env);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /ignoring .*: it is not a bridge record \(.*instance/);
    assert.ok(fake.seen.length > 0, 'the impostor was asked for /health');
    for (const req of fake.seen) {
      assert.equal(req.path, '/health', 'only /health is asked before the instance matches');
      assert.equal(req.headers['x-admin-token'], undefined);
      assert.equal(req.headers.authorization, undefined);
    }
  });

  it('accepts only a loopback http URL that is its own host and port, no credentials', () => {
    const dir = tempDir(null);
    const paths = dataPaths(dir);
    const read = (fields: Record<string, unknown>) => {
      writeRecord(dir, fields);
      const notes: string[] = [];
      return { record: readBridgeRecord(paths, (l) => notes.push(l)), notes };
    };
    for (const [url, host, port] of [
      ['http://127.0.0.1:4000', '127.0.0.1', 4000],
      ['http://127.0.0.1:4000', '0.0.0.0', 4000],
      ['http://127.9.8.7:4000', '127.9.8.7', 4000],
      ['http://[::1]:4000', '::1', 4000],
      ['http://localhost:4000', 'localhost', 4000],
    ] as const) {
      const r = read({ url, host, port });
      assert.equal(r.record?.url, url, `${url}: ${r.notes}`);
      assert.deepEqual(r.notes, []);
    }
    for (const [url, host, port, why] of [
      ['http://10.0.0.5:4000', '10.0.0.5', 4000, /not on this machine/],
      ['http://example.com:4000', 'example.com', 4000, /not on this machine/],
      ['http://127.0.0.1:4001', '127.0.0.1', 4000, /not the address of its host and port/],
      ['http://127.0.0.2:4000', '127.0.0.1', 4000, /not the address of its host and port/],
      ['https://127.0.0.1:4000', '127.0.0.1', 4000, /not http/],
      ['http://u:p@127.0.0.1:4000', 'u:p@127.0.0.1', 4000, /credentials/],
      ['http://127.0.0.1@evil.example:4000', '127.0.0.1@evil.example', 4000, /credentials/],
      ['http://127.0.0.1:4000/x', '127.0.0.1', 4000, /not the address/],
      ['not a url', '127.0.0.1', 4000, /not a URL/],
    ] as const) {
      const r = read({ url, host, port });
      assert.equal(r.record, null, url);
      assert.equal(r.notes.length, 1, url);
      assert.match(r.notes[0] ?? '', why, url);
    }
    const bad = read({ url: 'http://127.0.0.1:4000', host: '127.0.0.1', port: 4000, instance: 'short' });
    assert.equal(bad.record, null);
    assert.match(bad.notes[0] ?? '', /not a bridge record/);
  });

  it('a FIFO, a symlink or a huge file named bridge.json is ignored without hanging any command', async (t) => {
    const dir = tempDir(t);
    const paths = dataPaths(dir);
    const notes: string[] = [];
    writeFileSync(paths.bridge, `{"url":"http://127.0.0.1:1",${' '.repeat(5000)}}`);
    assert.equal(
      readBridgeRecord(paths, (l) => notes.push(l)),
      null,
    );
    assert.match(notes.pop() ?? '', /larger than 4096 bytes/);
    rmSync(paths.bridge);
    const target = join(dir, 'elsewhere.json');
    writeFileSync(target, JSON.stringify({ url: 'http://127.0.0.1:4000', host: '127.0.0.1', port: 4000 }));
    symlinkSync(target, paths.bridge);
    assert.equal(
      readBridgeRecord(paths, (l) => notes.push(l)),
      null,
    );
    assert.match(notes.pop() ?? '', /not a regular file/);
    rmSync(paths.bridge);
    execFileSync('mkfifo', [paths.bridge]);
    assert.equal(
      readBridgeRecord(paths, (l) => notes.push(l)),
      null,
    );
    assert.match(notes.pop() ?? '', /not a regular file/);
    // Real child processes: a blocking open of the FIFO would never return.
    const env = { ARGYBARGY_DATA: dir, ARGYBARGY_PORT: String(await freePort()) };
    for (const cmd of [['rooms'], ['invite', '--name', 'fifo', '--json'], ['whoami']]) {
      const r = await runCliWithin(cmd, { ...env, ...(cmd[0] === 'whoami' ? { ARGYBARGY_CODE: 'x' } : {}) });
      assert.notEqual(r.code, null, `${cmd[0]} finished`);
    }
    const noPort = await runCliWithin(['rooms'], { ARGYBARGY_DATA: dir });
    assert.equal(noPort.code, 1);
    assert.match(noPort.stderr, /ignoring .*bridge\.json: it is not a regular file/);
  });

  it('a second bridge on the same data directory runs, but says which bridge is already there', async (t) => {
    const dir = tempDir(t);
    const first = await startBridge(t, {}, { dataDir: dir });
    const notes: string[] = [];
    const config = loadConfig({ ARGYBARGY_DATA: dir, ARGYBARGY_PORT: '0', ARGYBARGY_LOG_LEVEL: 'silent' });
    const second = await startServer(config, { logger: false, notice: (l) => notes.push(l) });
    t.after(() => second.close());
    assert.equal(notes.length, 1, notes.join('\n'));
    assert.ok(notes[0]?.includes(first.url), notes[0]);
    assert.ok(notes[0]?.includes(second.url), notes[0]);
    assert.notEqual(second.instance, first.running.instance);
    assert.equal(readBridgeRecord(dataPaths(dir))?.instance, second.instance);
    await second.close();
    assert.equal(existsSync(dataPaths(dir).bridge), false, 'the newer record was its own: removed');
    // A bridge alone on its data directory (the first one's record is gone now) says nothing.
    const third = await startServer(config, { logger: false, notice: (l) => notes.push(l) });
    t.after(() => third.close());
    assert.equal(notes.length, 1);
    await first.close();
    assert.equal(readBridgeRecord(dataPaths(dir))?.instance, third.instance, "first leaves third's record alone");
  });
});

/** Runs the built CLI and kills it after `ms` (then code is null): a command that hangs shows as null. */
function runCliWithin(
  args: string[],
  env: Record<string, string>,
  ms = 10_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collectOutput(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}
