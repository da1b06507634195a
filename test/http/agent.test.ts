import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poll, post, startBridge } from '../helpers.js';

describe('agent auth', () => {
  it('rejects missing, unknown, malformed, revoked and expired codes with a helpful 401', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('alice');
    for (const path of ['/whoami', '/peers', '/history', '/messages?wait=0']) {
      const r = await b.call('GET', path);
      assert.equal(r.status, 401, path);
      assert.equal(r.body.error, 'unauthorized');
      assert.match(r.body.detail, /Authorization: Bearer/);
      assert.match(r.body.detail, /operator/);
      assert.equal((await b.call('GET', path, { code: 'nope' })).status, 401, path);
    }
    for (const value of [`Basic ${code}`, 'Bearer', 'Bearer  ', 'Bearer wrong', `Bearer ${code} extra`, `${code}x`]) {
      assert.equal((await b.call('GET', '/whoami', { headers: { authorization: value } })).status, 401, value);
    }
    const revoked = await b.invite('short-lived');
    assert.equal((await b.call('GET', '/whoami', { code: revoked })).status, 200);
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'short-lived' } });
    assert.equal((await b.call('GET', '/whoami', { code: revoked })).status, 401);
  });

  it('accepts Bearer in any case and the bare code', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('lenient');
    for (const value of [`Bearer ${code}`, `bearer ${code}`, `BEARER ${code}`, `  Bearer   ${code}  `, code]) {
      const r = await b.call('GET', '/whoami', { headers: { authorization: value } });
      assert.equal(r.status, 200, value);
      assert.equal(r.body.name, 'lenient');
    }
  });

  it('rejects an expired code', async (t) => {
    let now = Date.now();
    const b = await startBridge(t, {}, { now: () => now });
    const code = await b.invite('ghost', 'default', { expires: '10m' });
    assert.equal((await b.call('GET', '/whoami', { code })).status, 200);
    now += 11 * 60_000;
    assert.equal((await b.call('GET', '/whoami', { code })).status, 401);
  });
});

describe('whoami and peers', () => {
  it('returns identity and capabilities', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('cap-agent', 'default', { capabilities: 'reads QB; runs SQL' });
    const r = await b.call('GET', '/whoami', { code });
    assert.deepEqual(r.body, { name: 'cap-agent', room: 'default', capabilities: 'reads QB; runs SQL' });
  });

  it('lists roommates with presence and capabilities, never other rooms', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('peers-a', 'peersroom', { capabilities: 'planner' });
    const c = await b.invite('peers-b', 'peersroom');
    const outsider = await b.invite('outsider', 'elsewhere');
    await b.call('GET', '/whoami', { code: a });
    await b.call('GET', '/whoami', { code: c });
    await b.call('GET', '/whoami', { code: outsider });
    const r = await b.call('GET', '/peers', { code: a });
    assert.equal(r.body.room, 'peersroom');
    assert.deepEqual(
      r.body.peers.map((p: { name: string }) => p.name),
      ['peers-a', 'peers-b'],
    );
    const me = r.body.peers[0];
    assert.deepEqual(Object.keys(me).sort(), ['capabilities', 'name', 'online', 'seconds_since_seen']);
    assert.equal(me.capabilities, 'planner');
    assert.equal(me.online, true);
    assert.equal(typeof me.seconds_since_seen, 'number');
  });

  it('shows a peer offline once the online window has passed', async (t) => {
    let now = Date.now();
    const b = await startBridge(t, { ARGYBARGY_ONLINE_WINDOW: '60' }, { now: () => now });
    const a = await b.invite('a', 'r');
    const c = await b.invite('c', 'r');
    await b.call('GET', '/whoami', { code: c });
    now += 61_000;
    const peers = (await b.call('GET', '/peers', { code: a })).body.peers;
    const cRow = peers.find((p: { name: string }) => p.name === 'c');
    assert.equal(cRow.online, false);
    assert.equal(cRow.seconds_since_seen, 61);
  });

  it('audits the first connection of each agent once', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('conn', 'r', { capabilities: 'x' });
    await b.call('GET', '/whoami', { code });
    await b.call('GET', '/peers', { code });
    const events = (await b.call('GET', '/admin/audit', { admin: true })).body.events;
    const connects = events.filter((e: { action: string }) => e.action === 'connect');
    assert.equal(connects.length, 1);
    assert.deepEqual([connects[0].actor, connects[0].room], ['conn', 'r']);
  });
});

describe('messaging', () => {
  it('delivers a broadcast to every other agent and never echoes to the sender', async (t) => {
    const b = await startBridge(t);
    const [a, c, d] = await Promise.all(['bc-a', 'bc-b', 'bc-c'].map((n) => b.invite(n, 'bcroom')));
    assert.equal((await post(b, a, 'hear ye')).body.ok, true);
    for (const who of [c, d])
      assert.deepEqual(
        (await poll(b, who)).body.messages.map((m: any) => m.text),
        ['hear ye'],
      );
    assert.deepEqual((await poll(b, a)).body.messages, []);
  });

  it('keeps a DM private to sender and recipient, also in history', async (t) => {
    const b = await startBridge(t);
    const [a, c, d] = await Promise.all(['priv-a', 'priv-b', 'priv-c'].map((n) => b.invite(n, 'privroom')));
    const sent = await post(b, a, 'for your eyes only', { to: 'priv-b' });
    assert.equal(sent.body.message.to, 'priv-b');
    assert.deepEqual(
      (await poll(b, c)).body.messages.map((m: any) => m.text),
      ['for your eyes only'],
    );
    assert.deepEqual((await poll(b, d)).body.messages, []);
    const hist = (code: string) =>
      b.call('GET', '/history', { code }).then((r) => r.body.messages.map((m: any) => m.text));
    assert.deepEqual(await hist(a), ['for your eyes only']);
    assert.deepEqual(await hist(c), ['for your eyes only']);
    assert.deepEqual(await hist(d), []);
    const seq = sent.body.message.seq;
    assert.equal(
      (await b.call('POST', `/messages/${seq}/claim`, { code: d })).status,
      404,
      'an invisible DM cannot be claimed',
    );
  });

  it('never crosses rooms', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('iso-a', 'iso-one');
    const c = await b.invite('iso-b', 'iso-two');
    const seq = (await post(b, a, 'room one only', { expects_reply: 'anyone' })).body.message.seq;
    assert.deepEqual((await poll(b, c)).body.messages, []);
    assert.deepEqual((await b.call('GET', '/history', { code: c })).body.messages, []);
    assert.equal((await b.call('POST', `/messages/${seq}/claim`, { code: c })).status, 404);
  });

  it('advances the cursor and excludes what was already seen', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('cur-a', 'curroom');
    const c = await b.invite('cur-b', 'curroom');
    await post(b, a, 'first');
    const first = (await poll(b, c)).body;
    assert.equal(first.cursor, 1);
    assert.deepEqual((await poll(b, c, first.cursor)).body.messages, []);
    await post(b, a, 'second');
    const next = (await poll(b, c, first.cursor)).body;
    assert.deepEqual(
      next.messages.map((m: any) => m.text),
      ['second'],
    );
    assert.equal(next.cursor, 2);
  });

  it('defaults expects_reply: none for broadcasts, the recipient for DMs; explicit values stay', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('turn-a', 'turnroom');
    await b.invite('turn-b', 'turnroom');
    const exp = async (extra: Record<string, unknown>) => (await post(b, a, 'x', extra)).body.message.expects_reply;
    assert.equal(await exp({ to: 'all' }), 'none');
    assert.equal(await exp({}), 'none');
    assert.equal(await exp({ to: 'turn-b' }), 'turn-b');
    assert.equal(await exp({ to: 'turn-b', expects_reply: '' }), 'turn-b');
    assert.equal(await exp({ to: 'all', expects_reply: 'anyone' }), 'anyone');
    assert.equal(await exp({ to: 'turn-b', expects_reply: 'none' }), 'none');
    assert.equal(await exp({ to: null, expects_reply: null }), 'none');
  });

  it('returns the full message shape', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('shape', 'r');
    const m = (await post(b, a, 'hello')).body.message;
    assert.deepEqual(Object.keys(m).sort(), [
      'answered_at',
      'answered_by',
      'claimed_by',
      'expects_reply',
      'expects_reply_resolved',
      'from',
      'kind',
      'lease_expires_at',
      'reason',
      'reply_to',
      'seq',
      'text',
      'to',
      'ts',
    ]);
    assert.deepEqual([m.reply_to, m.answered_by, m.answered_at], [null, null, null], 'threads fields, null by default');
    assert.deepEqual([m.lease_expires_at, m.kind, m.reason], [null, null, null], 'lease fields, null by default');
    assert.match(m.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.ok(Math.abs(Date.parse(m.ts) - Date.now()) < 5000);
    assert.deepEqual([m.seq, m.from, m.to, m.claimed_by], [1, 'shape', 'all', null]);
  });

  it('resolves anyone to the only other member, durably, and keeps it vague in a crowd', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('asker', 'pair');
    const c = await b.invite('answerer', 'pair');
    const m = (await post(b, a, 'who can take this?', { expects_reply: 'anyone' })).body.message;
    assert.equal(m.expects_reply, 'anyone');
    assert.equal(m.expects_reply_resolved, 'answerer');
    const got = (await poll(b, c)).body.messages[0];
    assert.equal(got.expects_reply, 'anyone', 'the stored value is untouched');
    assert.equal(got.expects_reply_resolved, 'answerer');
    assert.equal((await b.call('GET', '/history', { code: a })).body.messages[0].expects_reply_resolved, 'answerer');
    const state = (await b.call('GET', '/admin/state?room=pair', { admin: true })).body;
    assert.equal(state.messages[0].expects_reply_resolved, 'answerer');
    await b.invite('third', 'pair');
    assert.equal((await poll(b, c)).body.messages[0].expects_reply_resolved, 'anyone');
  });

  it('history is room-scoped, oldest first, honours limit and reports room status', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_HISTORY: '3', ARGYBARGY_RATE_MAX: '0' });
    const a = await b.invite('hist-a', 'histroom');
    for (let i = 0; i < 5; i++) await post(b, a, `h${i}`);
    const r = (await b.call('GET', '/history?limit=2', { code: a })).body;
    assert.equal(r.room, 'histroom');
    assert.deepEqual(
      r.messages.map((m: any) => m.text),
      ['h3', 'h4'],
    );
    assert.deepEqual(r.room_status, { name: 'histroom', status: 'open', closed_at: null, closed_by: null });
    const capped = (await b.call('GET', '/history?limit=100000', { code: a })).body;
    assert.deepEqual(
      capped.messages.map((m: any) => m.text),
      ['h2', 'h3', 'h4'],
      'capped at ARGYBARGY_MAX_HISTORY',
    );
    assert.equal((await b.call('GET', '/history', { code: a })).body.messages.length, 3);
    for (const bad of ['0', '-1', 'abc', '1.5', '9007199254740993']) {
      const e = await b.call('GET', `/history?limit=${bad}`, { code: a });
      assert.equal(e.status, 400, bad);
      assert.equal(e.body.error, 'bad_request');
    }
  });
});
