import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { post, startBridge } from '../helpers.js';

/** Requests as a client at `address`, through the proxy the bridge trusts by default (loopback). */
const from = (address: string) => ({ 'x-forwarded-for': address });
const wrongCode = () => randomBytes(24).toString('base64url');

describe('failed sign-ins cost the attacker, not the audit trail', () => {
  it('holds an address back after too many wrong codes (429, Retry-After), and only that address', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_AUTH_FAILURES: '5' });
    const good = await b.invite('good', 'r');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await b.call('GET', '/whoami', { code: wrongCode(), headers: from('203.0.113.7') })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    const held = await b.call('GET', '/peers', { code: wrongCode(), headers: from('203.0.113.7') });
    assert.equal(held.status, 429);
    assert.equal(held.body.error, 'auth_throttled');
    const wait = Number(held.headers.get('retry-after'));
    assert.ok(wait > 50 && wait <= 60, `Retry-After ${wait}`);
    assert.equal(
      (await b.call('GET', '/whoami', { code: wrongCode(), headers: from('198.51.100.9') })).status,
      401,
      'another address is not held back',
    );
    assert.equal(
      (await b.call('GET', '/whoami', { code: good, headers: from('203.0.113.7') })).status,
      200,
      'a valid code still gets in from a held address (a shared NAT or tunnel)',
    );
    // Wrong admin tokens count against the same address.
    assert.equal((await b.call('GET', '/admin/stats', { admin: 'nope', headers: from('203.0.113.7') })).status, 429);
    assert.equal((await b.call('GET', '/admin/stats', { admin: true, headers: from('203.0.113.7') })).status, 200);
  });

  it('does not count requests that sent no credential at all', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_AUTH_FAILURES: '3' });
    for (let i = 0; i < 10; i++)
      assert.equal((await b.call('GET', '/whoami', { headers: from('192.0.2.50') })).status, 401);
    assert.equal((await b.call('GET', '/whoami', { code: wrongCode(), headers: from('192.0.2.50') })).status, 401);
  });

  it('keeps what the operator did in the audit log however many wrong tokens arrive, counting them in summaries', async (t) => {
    const b = await startBridge(t);
    await b.invite('alice', 'audited');
    await b.call('POST', '/admin/rooms/audited/close', { admin: true, body: { by: 'titus' } });
    // 1,000 wrong admin tokens from 40 addresses, and 200 wrong codes.
    const tries = Array.from({ length: 1000 }, (_, i) =>
      b.call('GET', '/admin/state', { admin: `guess-${i}`, headers: from(`10.9.${i % 40}.1`) }),
    );
    for (let i = 0; i < 1000; i += 100) await Promise.all(tries.slice(i, i + 100));
    for (let i = 0; i < 200; i++) await b.call('GET', '/whoami', { code: wrongCode(), headers: from('10.8.0.1') });
    const events = (await b.call('GET', '/admin/audit?limit=100', { admin: true })).body.events;
    const actions = events.map((e: any) => e.action);
    assert.ok(actions.includes('invite') && actions.includes('room_close'), 'operator events stay in view');
    const failures = events.filter((e: any) => e.action.endsWith('_auth_failed'));
    assert.ok(failures.length <= 30, `${failures.length} rows for 1,200 failures`);
    assert.ok(failures.some((e: any) => /wrong token on \/admin\/state from 10\.9\.\d+\.1/.test(e.detail)));
    assert.deepEqual(
      (await b.call('GET', '/admin/audit?class=operator', { admin: true })).body.events.map((e: any) => e.action),
      ['invite', 'room_close'],
    );
    // What was counted reaches the log as summaries when the window closes.
    await b.running.close();
    const { SqliteStore } = await import('../../src/store/sqlite.js');
    const store = new SqliteStore(`${b.dir}/argybargy.db`);
    t.after(() => store.close());
    const auth = await store.recentAudit(1000, 'auth');
    assert.ok(auth.length <= 40, `${auth.length} auth rows in all`);
    const counted = auth
      .map((e) => /^(\d+) more failed/.exec(e.detail)?.[1])
      .filter(Boolean)
      .reduce((n, x) => n + Number(x), 0);
    assert.ok(counted > 1000, `summaries count ${counted} failures`);
  });

  it('writes a webhook_set row only when the URL changes, and counts registrations against the rate limit', async (t) => {
    const b = await startBridge(t, {
      ARGYBARGY_WEBHOOK_PRIVATE: '1',
      ARGYBARGY_RATE_MAX: '5',
      ARGYBARGY_RATE_WINDOW: '60',
    });
    const me = await b.invite('hooker', 'w');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await b.call('POST', '/webhook', { code: me, body: { url: 'http://127.0.0.1:9/a' } })).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const rows = (await b.call('GET', '/admin/audit?class=agent', { admin: true })).body.events.filter(
      (e: any) => e.action === 'webhook_set',
    );
    assert.equal(rows.length, 1);
    assert.equal((await post(b, me, 'x')).status, 429, 'registrations used the same slots as posts');
  });

  it('counts every spelling of an address, and a whole IPv6 /64, as one client', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_AUTH_FAILURES: '4' });
    const spellings = ['1.2.3.4', '::ffff:1.2.3.4', '::ffff:0102:0304', '01.2.3.4', '1.2.3.4:5555'];
    const statuses = [];
    for (const a of spellings)
      statuses.push((await b.call('GET', '/whoami', { code: wrongCode(), headers: from(a) })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    const v6 = [];
    for (let i = 1; i <= 6; i++) {
      v6.push(
        (await b.call('GET', '/whoami', { code: wrongCode(), headers: from(`2001:db8:5:6::${i.toString(16)}`) }))
          .status,
      );
    }
    assert.deepEqual(v6, [401, 401, 401, 401, 429, 429]);
  });
});
