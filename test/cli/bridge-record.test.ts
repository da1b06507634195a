import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { findRunningBridge, readBridgeRecord } from '../../src/app/bridge-record.js';
import { dataPaths } from '../../src/app/data-dir.js';
import { startBridge, tempDir } from '../helpers.js';
import { runCli, startCli, stopProcess } from '../support/processes.js';

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
