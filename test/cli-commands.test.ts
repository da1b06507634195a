import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { request, startBridge, tempDir } from './helpers.js';
import { runCli, startCli } from './support/processes.js';

const run = runCli;
const start = startCli;

describe('operator commands against a running bridge', () => {
  it('room prints a brief with a working worker code; the room shows before anyone speaks', async (t) => {
    const b = await startBridge(t);
    const env = { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: new URL(b.url).port };
    const r = await run(['room', 'build', '--worker', 'coder', '--expires', '1d'], env);
    assert.equal(r.code, 0, r.stderr);
    const code = /^Code: +(\S+)$/m.exec(r.stdout)?.[1] ?? '';
    for (const part of [
      b.url,
      'Room:    build',
      'Name:    coder',
      '/claim',
      'should_exit',
      'room_closed',
      'idle_timeout',
    ]) {
      assert.ok(r.stdout.includes(part), part);
    }
    const me = await request(b.url, 'GET', '/whoami', { code });
    assert.deepEqual(me.body, { name: 'coder', room: 'build', capabilities: '' });
    const state = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.ok(state.rooms.some((x: any) => x.room === 'build' && x.messages === 0));
    assert.deepEqual(
      state.roster.build.map((x: any) => x.name),
      ['coder', 'operator'],
    );
    const json = await run(['room', 'ops', '--json'], env);
    assert.equal(JSON.parse(json.stdout).worker.name, 'worker');
  });

  it('send and listen --once talk through the bridge; whoami and peers show the agent', async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'chat', { capabilities: 'plans' });
    const bob = await b.invite('bob', 'chat');
    const listener = start(['listen', '--once', '--json'], { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: bob }, /^/);
    const l = await listener;
    await new Promise((r) => setTimeout(r, 400));
    const sent = await run(['send', 'hello bob 🤖', '--to', 'bob'], { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: alice });
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /Sent #1 to bob \(expects_reply: bob\)/);
    assert.equal(sent.stderr, '', 'no warning for a member');
    assert.equal(await l.exited, 0);
    const stray = await run(['send', 'hello?', '--to', 'bbo', '--json'], {
      ARGYBARGY_URL: b.url,
      ARGYBARGY_CODE: alice,
    });
    assert.equal(stray.code, 0, 'accepted all the same');
    const strayJson = JSON.parse(stray.stdout);
    assert.equal(strayJson.to, 'bbo', "the message's fields stay where they were");
    assert.deepEqual(
      strayJson.warnings.map((w: any) => [w.warning, w.field, w.name]),
      [['not_a_member', 'to', 'bbo']],
      '--json carries the warnings too',
    );
    assert.equal(
      stray.stderr,
      'warning: bbo is not in room chat (members: alice, bob); the message was stored and waits until an agent of that name joins the room.\n',
    );
    const clean = await run(['send', 'hi bob', '--to', 'bob', '--json'], {
      ARGYBARGY_URL: b.url,
      ARGYBARGY_CODE: alice,
    });
    assert.deepEqual(JSON.parse(clean.stdout).warnings, []);
    const got = JSON.parse(l.out.stdout.trim());
    assert.deepEqual([got.from, got.to, got.text], ['alice', 'bob', 'hello bob 🤖']);
    const who = await run(['whoami'], { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: alice });
    assert.equal(who.stdout, 'alice in room chat — plans\n');
    const peers = await run(['peers', '--json'], { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: alice });
    assert.deepEqual(
      JSON.parse(peers.stdout).peers.map((p: any) => p.name),
      ['alice', 'bob'],
    );
    const table = await run(['peers'], { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: alice });
    assert.match(table.stdout, /NAME +ONLINE +SEEN +CAPABILITIES/);
    assert.ok(!table.stdout.includes('\u001b['), 'no colour without a terminal');
    const posted = await run(['post', 'chat', 'all of you?', '--expects', 'all', '--json'], {
      ARGYBARGY_DATA: b.dir,
      ARGYBARGY_PORT: new URL(b.url).port,
    });
    assert.equal(posted.code, 0, posted.stderr);
    const postedJson = JSON.parse(posted.stdout);
    assert.equal(postedJson.expects_reply, 'all');
    assert.deepEqual(
      postedJson.warnings.map((w: any) => [w.warning, w.field, w.name]),
      [['reserved_name', 'expects_reply', 'all']],
    );
    assert.match(posted.stderr, /^warning: expects_reply all is a reserved word/);
  });

  it('listen stops on should_exit and says why', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('stayer', 'shut');
    const l = await start(['listen'], { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: code }, /^/);
    await new Promise((r) => setTimeout(r, 400));
    await b.call('POST', '/admin/say', { admin: true, body: { room: 'shut', text: 'wrapping up' } });
    const closed = await run(['close', 'shut', '--by', 'titus'], {
      ARGYBARGY_DATA: b.dir,
      ARGYBARGY_PORT: new URL(b.url).port,
    });
    assert.equal(closed.code, 0, closed.stderr);
    assert.match(closed.stdout, /closed \(by titus\)/);
    assert.equal(await l.exited, 0);
    assert.match(l.out.stdout, /wrapping up/);
    assert.match(l.out.stderr, /leaving: room shut was closed by titus/);
  });

  it('post speaks into a room, also a closed one; reopen; rooms lists who is waiting', async (t) => {
    const b = await startBridge(t);
    const env = { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: new URL(b.url).port };
    const asker = await b.invite('asker', 'build');
    await b.call('POST', '/messages', { code: asker, body: { text: 'which provider?', expects_reply: 'anyone' } });
    const listing = await run(['rooms'], env);
    assert.equal(listing.code, 0, listing.stderr);
    assert.match(listing.stdout, /ROOM +STATUS +MESSAGES +LAST +WAITING ON YOU/);
    assert.match(listing.stdout, /build +open +1 .*asker/);
    const rooms = JSON.parse((await run(['rooms', '--json'], env)).stdout);
    assert.equal(rooms[0].waiting[0].from, 'asker');
    assert.equal(rooms[0].inbox[0].from, 'asker', 'alone in the room: only the operator can answer');
    await b.invite('alice', 'build');
    const q = await run(['post', 'build', 'alice, which one?', '--to', 'alice', '--as', 'titus'], env);
    assert.equal(q.code, 0, q.stderr);
    assert.equal(q.stderr, '');
    const typo = await run(['post', 'build', 'thoughts?', '--expects', 'everyone'], env);
    assert.equal(typo.code, 0, typo.stderr);
    assert.match(
      typo.stderr,
      /^warning: expects_reply everyone is not in room build \(members: alice, asker, operator, titus\);/,
    );
    const after = await run(['rooms'], env);
    assert.match(after.stdout, /you \(titus\) → alice: alice, which one\?/);
    // Your own question to nobody is listed once, among yours, never under WAITING ON YOU.
    assert.match(after.stdout, /you \(operator\) → nobody \(no such agent: everyone\): thoughts\?/);
    assert.equal(after.stdout.split('thoughts?').length - 1, 1, after.stdout);
    assert.match(after.stdout, /build +open +3 +\S+ +-\n/, 'nothing waits on you');
    assert.doesNotMatch(
      after.stdout,
      /build +open +2 .*titus/,
      "the operator's question is not waiting on the operator",
    );
    assert.equal((await run(['close', 'build'], env)).code, 0);
    const p = await run(['post', 'build', 'closing this out, thanks', '--to', 'asker', '--as', 'titus'], env);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /Posted #4 to asker in build \(expects_reply: asker\)/);
    const hist = (await b.call('GET', '/history', { code: asker })).body.messages;
    assert.deepEqual([hist.at(-1).from, hist.at(-1).text], ['titus', 'closing this out, thanks']);
    assert.match((await run(['reopen', 'build'], env)).stdout, /Room build is open/);
    assert.equal((await run(['rooms', '--json'], env)).code, 0);
  });

  it('revoke stops a code at once; codes lists them', async (t) => {
    const b = await startBridge(t);
    const env = { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: new URL(b.url).port };
    const code = await b.invite('temp', 'r', { capabilities: 'short job' });
    assert.equal((await request(b.url, 'GET', '/whoami', { code })).status, 200);
    const listed = await run(['codes'], env);
    assert.match(listed.stdout, /NAME +ROOM +CAPABILITIES +EXPIRES +CODE/);
    assert.ok(listed.stdout.includes(code));
    const r = await run(['revoke', 'temp'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Revoked 1 code.\n');
    assert.equal((await request(b.url, 'GET', '/whoami', { code })).status, 401);
    const none = await run(['revoke', 'nobody'], env);
    assert.equal(none.code, 1);
    assert.deepEqual(JSON.parse((await run(['codes', '--json'], env)).stdout), []);
  });

  it('talks to a remote bridge with --url and ARGYBARGY_ADMIN_TOKEN', async (t) => {
    const b = await startBridge(t);
    const elsewhere = tempDir(t);
    const token = await b.admin();
    const r = await run(['post', 'remote', 'hi from afar', '--url', b.url], {
      ARGYBARGY_DATA: elsewhere,
      ARGYBARGY_ADMIN_TOKEN: token,
    });
    assert.equal(r.code, 0, r.stderr);
    const noToken = await run(['rooms', '--url', b.url], { ARGYBARGY_DATA: elsewhere });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /ARGYBARGY_ADMIN_TOKEN/);
    const wrong = await run(['rooms', '--url', b.url], { ARGYBARGY_DATA: elsewhere, ARGYBARGY_ADMIN_TOKEN: 'nope' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^argybargy: Missing or wrong admin token/);
  });
});

describe('CLI edges', () => {
  it('says in one line how to start a bridge when none is running', async (t) => {
    const dir = tempDir(t);
    for (const args of [['rooms'], ['close', 'x'], ['post', 'x', 'y']]) {
      const r = await run(args, { ARGYBARGY_DATA: dir, ARGYBARGY_PORT: '1' });
      assert.equal(r.code, 1, args.join(' '));
      assert.match(
        r.stderr,
        /^argybargy: no bridge is answering at http:\/\/127\.0\.0\.1:1\. Start one with: argybargy serve/,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const agent = await run(['whoami'], { ARGYBARGY_URL: 'http://127.0.0.1:1', ARGYBARGY_CODE: 'x' });
    assert.equal(agent.code, 1);
    const noCode = await run(['send', 'hi'], {});
    assert.equal(noCode.code, 1);
    assert.match(noCode.stderr, /ARGYBARGY_CODE/);
  });

  it('stops with one line naming the service when PostgreSQL or Redis cannot be reached', async (t) => {
    const dir = tempDir(t);
    const redis = await run(['serve', '--port', '0'], {
      ARGYBARGY_DATA: dir,
      ARGYBARGY_REDIS_URL: 'redis://127.0.0.1:1',
    });
    assert.equal(redis.code, 1);
    assert.match(redis.stderr, /^argybargy: Redis at 127\.0\.0\.1:1 \(ARGYBARGY_REDIS_URL\) is unreachable/);
    const pgDown = await run(['serve', '--port', '0'], {
      ARGYBARGY_DATA: dir,
      ARGYBARGY_DATABASE_URL: 'postgres://u@127.0.0.1:1/x',
    });
    assert.equal(pgDown.code, 1);
    assert.match(pgDown.stderr, /^argybargy: PostgreSQL at 127\.0\.0\.1:1 \(ARGYBARGY_DATABASE_URL\) is unreachable/);
  });

  it('answers bad flags with usage and exit 2', async () => {
    for (const args of [['rooms', '--bogus'], ['post', 'only-room'], ['listen', '--since', 'x'], ['frobnicate']]) {
      const r = await run(args, {});
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0);
    }
  });

  it('has --help with an example on every command', async () => {
    const commands = [
      'serve',
      'up',
      'token',
      'invite',
      'codes',
      'revoke',
      'room',
      'post',
      'rooms',
      'close',
      'reopen',
      'send',
      'listen',
      'whoami',
      'peers',
    ];
    for (const c of commands) {
      const r = await run([c, '--help'], {});
      assert.equal(r.code, 0, c);
      assert.match(r.stdout, /Example/, c);
    }
  });
});

describe('argybargy up', () => {
  it('--no-tunnel starts and stops cleanly', async (t) => {
    const dir = tempDir(t);
    const up = await start(
      ['up', '--no-tunnel', '--port', '0', '--data', dir],
      { ARGYBARGY_LOG_LEVEL: 'warn' },
      /stop: +Ctrl-C/,
    );
    t.after(() => up.child.kill('SIGKILL'));
    const local = /local URL: +(\S+)/.exec(up.out.stdout)?.[1] ?? '';
    assert.match(up.out.stdout, /public URL: +none \(local only\)/);
    assert.equal((await request(local, 'GET', '/health')).status, 200);
    up.child.kill('SIGINT');
    assert.equal(await up.exited, 0, up.out.stderr);
  });

  it('says so and carries on locally without cloudflared', async (t) => {
    const dir = tempDir(t);
    const up = await start(
      ['up', '--port', '0', '--data', dir],
      { PATH: '/nonexistent', ARGYBARGY_LOG_LEVEL: 'warn' },
      /stop: +Ctrl-C/,
    );
    t.after(() => up.child.kill('SIGKILL'));
    assert.match(up.out.stderr, /cloudflared is not on PATH/);
    up.child.kill('SIGTERM');
    assert.equal(await up.exited, 0, up.out.stderr);
  });

  it('publishes the quick-tunnel URL: url.txt, invites and GET / carry it; stopping removes it', async (t) => {
    const dir = tempDir(t);
    const bin = tempDir(t);
    const fake = join(bin, 'cloudflared');
    writeFileSync(
      fake,
      `#!/usr/bin/env node
process.stderr.write('INF Requesting new quick Tunnel on trycloudflare.com...\\n');
setTimeout(() => process.stderr.write('INF |  https://quiet-river-42.trycloudflare.com  |\\n'), 100);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);
`,
    );
    chmodSync(fake, 0o755);
    const up = await start(
      ['up', '--port', '0', '--data', dir],
      { PATH: `${bin}:${process.env.PATH}`, ARGYBARGY_LOG_LEVEL: 'warn' },
      /stop: +Ctrl-C/,
    );
    t.after(() => up.child.kill('SIGKILL'));
    assert.match(up.out.stdout, /public URL: +https:\/\/quiet-river-42\.trycloudflare\.com/);
    assert.equal(readFileSync(join(dir, 'url.txt'), 'utf8').trim(), 'https://quiet-river-42.trycloudflare.com');
    const local = /local URL: +(\S+)/.exec(up.out.stdout)?.[1] ?? '';
    const guide = (await request(local, 'GET', '/')).body;
    assert.ok(guide.examples.send.includes('https://quiet-river-42.trycloudflare.com/messages'));
    const inv = await run(['invite', '--name', 'far'], { ARGYBARGY_DATA: dir });
    assert.ok(inv.stdout.includes('https://quiet-river-42.trycloudflare.com'));
    up.child.kill('SIGINT');
    assert.equal(await up.exited, 0, up.out.stderr);
    assert.equal(existsSync(join(dir, 'url.txt')), false, 'a stale url.txt is removed');
  });
});
