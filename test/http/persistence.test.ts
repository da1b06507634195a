import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { poll, post, startBridge, tempDir } from '../helpers.js';

describe('restart', () => {
  it('keeps messages, codes, room status, the seq counter and the admin token on the same data dir', async (t) => {
    const dir = tempDir(t);
    const first = await startBridge(null, {}, { dataDir: dir });
    const admin = await first.admin();
    const a = await first.invite('alice', 'keep');
    const c = await first.invite('carol', 'keep');
    await post(first, a, 'before restart 🤖');
    await first.call('POST', '/admin/say', { admin: true, body: { room: 'shut', text: 'x' } });
    await first.call('POST', '/admin/rooms/shut/close', { admin: true, body: { by: 'titus' } });
    const cursor = (await poll(first, c)).body.cursor;
    await first.close();

    const second = await startBridge(t, {}, { dataDir: dir });
    assert.equal(await second.admin(), admin);
    assert.equal((await second.call('GET', '/whoami', { code: a })).body.name, 'alice');
    assert.deepEqual(
      (await second.call('GET', '/history', { code: c })).body.messages.map((m: any) => m.text),
      ['before restart 🤖'],
    );
    assert.deepEqual((await poll(second, c, cursor)).body.messages, [], 'the cursor is still valid');
    const next = await post(second, a, 'after restart');
    assert.equal(next.body.message.seq, 2);
    assert.deepEqual(
      (await poll(second, c, cursor)).body.messages.map((m: any) => m.text),
      ['after restart'],
    );
    const state = (await second.call('GET', '/admin/state', { admin: true })).body;
    assert.equal(state.room_status.shut.status, 'closed');
    assert.equal(state.room_status.shut.closed_by, 'titus');
    assert.deepEqual(
      state.roster.keep.map((r: any) => [r.name, r.sources.join('+')]),
      [
        ['alice', 'presence+code+messages'],
        ['carol', 'presence+code'],
      ],
    );
  });

  it('answers parked polls on shutdown with a valid cursor and loses nothing acknowledged', async (t) => {
    const dir = tempDir(t);
    const b = await startBridge(null, {}, { dataDir: dir });
    const a = await b.invite('a', 'r');
    const c = await b.invite('c', 'r');
    await post(b, a, 'acknowledged');
    const parked = Array.from({ length: 20 }, () => poll(b, c, 1, 25));
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    await b.close();
    const answers = await Promise.all(parked);
    assert.ok(performance.now() - started < 3000);
    for (const r of answers) {
      assert.equal(r.status, 200);
      assert.equal(r.body.cursor, 1);
      assert.deepEqual(r.body.messages, []);
    }
    const again = await startBridge(t, {}, { dataDir: dir });
    assert.deepEqual(
      (await again.call('GET', '/history', { code: c })).body.messages.map((m: any) => m.text),
      ['acknowledged'],
    );
  });
});

describe('hashed codes', () => {
  it('stores codes as hashes, shows them once, masks listings, and keeps older plaintext codes working', async (t) => {
    const dir = tempDir(t);
    const plain = await startBridge(null, {}, { dataDir: dir });
    const old = await plain.invite('old-timer', 'r');
    await plain.close();

    const b = await startBridge(t, { ARGYBARGY_HASH_CODES: '1' }, { dataDir: dir });
    const fresh = await b.invite('secret', 'r');
    assert.equal((await b.call('GET', '/whoami', { code: fresh })).body.name, 'secret');
    assert.equal(
      (await b.call('GET', '/whoami', { code: old })).body.name,
      'old-timer',
      'codes from before the switch keep working',
    );
    assert.equal((await b.call('GET', '/whoami', { code: 'not-the-code' })).status, 401);
    const state = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.equal(state.hash_codes, true);
    for (const row of state.codes) {
      assert.match(row.code, /^.{6}….{4}$/);
      assert.ok(row.code !== fresh && row.code !== old);
    }
    await b.close();
    const disk = ['argybargy.db', 'argybargy.db-wal']
      .filter((f) => existsSync(join(dir, f)))
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('');
    assert.ok(!disk.includes(fresh), 'the new code is not on disk');
    assert.ok(!disk.includes(old), 'the old plaintext was scrubbed when hashing was switched on');
  });

  it('revokes a hashed code by its plaintext', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_HASH_CODES: '1' });
    const code = await b.invite('h');
    assert.deepEqual((await b.call('POST', '/admin/revoke', { admin: true, body: { target: code } })).body, {
      revoked: 1,
    });
    assert.equal((await b.call('GET', '/whoami', { code })).status, 401);
  });
});
