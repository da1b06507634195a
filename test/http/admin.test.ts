import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { poll, post, startBridge } from '../helpers.js';

const GETS = ['/admin/state', '/admin/stats', '/admin/audit', '/admin/codes', '/admin/state?room=anything'];
const POSTS: Array<[string, unknown]> = [
  ['/admin/invite', { name: 'x' }],
  ['/admin/revoke', { target: 'x' }],
  ['/admin/say', { text: 'x' }],
  ['/admin/regenerate-token', {}],
  ['/admin/rooms', { room: 'x' }],
  ['/admin/rooms/anyroom/close', {}],
  ['/admin/rooms/anyroom/reopen', {}],
];

describe('admin gating', () => {
  it('refuses every admin endpoint without the token, with a wrong one, and with an agent code', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('not-an-admin');
    for (const path of GETS) {
      assert.equal((await b.call('GET', path)).status, 401, path);
      assert.equal((await b.call('GET', path, { admin: 'wrong' })).status, 401, path);
      assert.equal((await b.call('GET', path, { admin: code })).status, 401, path);
    }
    for (const [path, body] of POSTS) {
      const r = await b.call('POST', path, { body });
      assert.equal(r.status, 401, path);
      assert.equal(r.body.error, 'unauthorized');
      assert.match(r.body.detail, /X-Admin-Token/);
      assert.equal((await b.call('POST', path, { body, admin: 'wrong' })).status, 401, path);
      assert.equal((await b.call('POST', path, { body, code })).status, 401, path);
    }
    const events = (await b.call('GET', '/admin/audit?limit=1000', { admin: true })).body.events;
    const failed = events.filter((e: any) => e.action === 'admin_auth_failed');
    // One address: its first failure is written at once, the rest are counted for the next summary.
    assert.ok(failed.length >= 1);
    assert.match(failed[0].detail, /^(missing|wrong) token on \/admin\/\S+ from 127\.0\.0\.1$/);
    const auth = (await b.call('GET', '/admin/audit?class=auth', { admin: true })).body.events;
    assert.ok(auth.length >= 1 && auth.every((e: any) => e.action === 'admin_auth_failed'));
    assert.ok(!JSON.stringify(events).includes(code), 'a presented secret never lands in the audit log');
  });

  it('keeps the admin token in an owner-only file and rotates it', async (t) => {
    const b = await startBridge(t);
    const file = join(b.dir, 'admin.token');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const old = await b.admin();
    const r = await b.call('POST', '/admin/regenerate-token', { admin: true });
    const fresh = r.body.admin_token;
    assert.ok(fresh && fresh !== old);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal((await b.call('GET', '/admin/state', { admin: old })).status, 401);
    assert.equal((await b.call('GET', '/admin/state', { admin: fresh })).status, 200);
    const events = (await b.call('GET', '/admin/audit', { admin: fresh })).body.events;
    assert.ok(events.some((e: any) => e.action === 'regenerate_admin_token'));
  });
});

describe('keys', () => {
  it('mints a working code with room, capabilities, expiry, url and a paste-ready instruction', async (t) => {
    const b = await startBridge(t);
    const r = await b.call('POST', '/admin/invite', {
      admin: true,
      body: { name: 'carol', room: 'sales', capabilities: 'researcher', expires: '1d', future: 'ignored' },
    });
    assert.equal(r.status, 200);
    const { code, instruction, url, expires } = r.body;
    assert.deepEqual(Object.keys(r.body).sort(), [
      'capabilities',
      'code',
      'expires',
      'instruction',
      'name',
      'room',
      'url',
    ]);
    assert.ok(code.length >= 22, 'at least 128 bits');
    assert.match(code, /^[A-Za-z0-9_-]+$/);
    assert.equal(url, b.url);
    assert.ok(instruction.includes(code) && instruction.includes(url) && instruction.includes('Authorization: Bearer'));
    assert.ok(Math.abs(Date.parse(expires) - (Date.now() + 86_400_000)) < 10_000);
    const me = await b.call('GET', '/whoami', { code });
    assert.deepEqual(me.body, { name: 'carol', room: 'sales', capabilities: 'researcher' });
  });

  it('accepts every expiry preset and refuses a bad one with 400 bad_request', async (t) => {
    const b = await startBridge(t);
    for (const expires of ['10m', '30m', '1h', '12h', '1d', '1w', '1mo', 'never', 'none', '', '0', '24', 24, null]) {
      const r = await b.call('POST', '/admin/invite', { admin: true, body: { name: 'e', expires } });
      assert.equal(r.status, 200, String(expires));
    }
    for (const expires of ['bogus', '10x', '-5m', '1y']) {
      const r = await b.call('POST', '/admin/invite', { admin: true, body: { name: 'e', expires } });
      assert.equal(r.status, 400, expires);
      assert.equal(r.body.error, 'bad_request');
    }
  });

  it('validates invite fields', async (t) => {
    const b = await startBridge(t);
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(65) },
      { name: 'all' },
      { name: 'ok', room: 'r'.repeat(65) },
      { name: 'ok', capabilities: 'x'.repeat(401) },
      { name: 5 },
    ]) {
      const r = await b.call('POST', '/admin/invite', { admin: true, body });
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    assert.equal(
      (await b.call('POST', '/admin/invite', { admin: true, body: { name: 'ok', capabilities: 'x'.repeat(400) } }))
        .status,
      200,
    );
  });

  it('enforces ARGYBARGY_MAX_CODES with 403 code_quota', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_CODES: '2' });
    await b.invite('one');
    await b.invite('two');
    const r = await b.call('POST', '/admin/invite', { admin: true, body: { name: 'three' } });
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'code_quota');
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'one' } });
    assert.equal((await b.call('POST', '/admin/invite', { admin: true, body: { name: 'three' } })).status, 200);
  });

  it('revokes by name or by code; an unknown target revokes nothing', async (t) => {
    const b = await startBridge(t);
    const byName = await b.invite('revoke-me');
    const byCode = await b.invite('revoke-by-code');
    const sibling = await b.invite('sibling');
    const r1 = await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'revoke-me' } });
    assert.deepEqual(r1.body, { revoked: 1 });
    assert.equal((await b.call('GET', '/whoami', { code: byName })).status, 401);
    assert.deepEqual((await b.call('POST', '/admin/revoke', { admin: true, body: { target: byCode } })).body, {
      revoked: 1,
    });
    assert.equal((await b.call('GET', '/whoami', { code: byCode })).status, 401);
    const none = await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'never-existed' } });
    assert.deepEqual([none.status, none.body], [200, { revoked: 0 }]);
    assert.equal((await b.call('GET', '/whoami', { code: sibling })).status, 200, 'siblings keep working');
    const audit = JSON.stringify((await b.call('GET', '/admin/audit', { admin: true })).body.events);
    assert.ok(!audit.includes(byCode), 'the revoked code is not written to the audit log');
    assert.ok(audit.includes('revoke-by-code@default'));
  });

  it('lists codes', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('lister', 'r', { capabilities: 'c', expires: '1h' });
    const rows = (await b.call('GET', '/admin/codes', { admin: true })).body.codes;
    assert.equal(rows.length, 1);
    assert.equal(rows[0].code, code);
    assert.deepEqual([rows[0].name, rows[0].room, rows[0].capabilities, rows[0].expired], ['lister', 'r', 'c', false]);
  });
});

describe('operator say', () => {
  it('delivers to the room as the operator or a named human, with expects_reply', async (t) => {
    const b = await startBridge(t);
    const c = await b.invite('say-b', 'sayroom');
    const r = await b.call('POST', '/admin/say', { admin: true, body: { room: 'sayroom', text: 'from the operator' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.deepEqual(
      [r.body.message.from, r.body.message.to, r.body.message.expects_reply],
      ['operator', 'all', 'none'],
    );
    await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'sayroom', to: 'say-b', text: 'your turn', sender: 'titus', expects_reply: 'say-b' },
    });
    const msgs = (await poll(b, c)).body.messages;
    assert.deepEqual(
      msgs.map((m: any) => [m.from, m.text, m.expects_reply]),
      [
        ['operator', 'from the operator', 'none'],
        ['titus', 'your turn', 'say-b'],
      ],
    );
  });

  it('defaults to the default room, is not rate-limited, and works on a closed room', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '1' });
    const c = await b.invite('d');
    for (let i = 0; i < 5; i++)
      assert.equal((await b.call('POST', '/admin/say', { admin: true, body: { text: `s${i}` } })).status, 200);
    await b.call('POST', '/admin/rooms/default/close', { admin: true });
    const r = await b.call('POST', '/admin/say', { admin: true, body: { text: 'closing this out, thanks all' } });
    assert.equal(r.status, 200);
    const hist = (await b.call('GET', '/history', { code: c })).body.messages;
    assert.equal(hist.at(-1).text, 'closing this out, thanks all');
    const audit = (await b.call('GET', '/admin/audit', { admin: true })).body.events;
    assert.equal(audit.filter((e: any) => e.action === 'say').length, 6);
  });

  it('validates say fields', async (t) => {
    const b = await startBridge(t);
    for (const body of [
      {},
      { text: '' },
      { text: 'x', room: 'r'.repeat(65) },
      { text: 'x', sender: 'all' },
      { text: 7 },
    ]) {
      assert.equal((await b.call('POST', '/admin/say', { admin: true, body })).status, 400, JSON.stringify(body));
    }
  });
});

describe('rooms', () => {
  it('creates, closes and reopens rooms, audited, with status in state', async (t) => {
    const b = await startBridge(t);
    const made = await b.call('POST', '/admin/rooms', { admin: true, body: { room: 'fresh' } });
    assert.deepEqual(made.body, {
      ok: true,
      created: true,
      room: { name: 'fresh', status: 'open', closed_at: null, closed_by: null },
    });
    assert.equal((await b.call('POST', '/admin/rooms', { admin: true, body: { room: 'fresh' } })).body.created, false);
    let state = (await b.call('GET', '/admin/state', { admin: true })).body;
    const row = state.rooms.find((r: any) => r.room === 'fresh');
    assert.deepEqual(row, {
      room: 'fresh',
      messages: 0,
      last_seq: 0,
      last_ts: null,
      seconds_since_last: null,
      status: 'open',
      closed_at: null,
      closed_by: null,
    });
    const closed = await b.call('POST', '/admin/rooms/fresh/close', { admin: true, body: { by: 'titus' } });
    assert.equal(closed.body.ok, true);
    assert.equal(closed.body.room.status, 'closed');
    assert.equal(closed.body.room.closed_by, 'titus');
    state = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.equal(state.room_status.fresh.status, 'closed');
    assert.equal(state.rooms.find((r: any) => r.room === 'fresh').closed_by, 'titus');
    const reopened = await b.call('POST', '/admin/rooms/fresh/reopen', { admin: true });
    assert.deepEqual(reopened.body.room, { name: 'fresh', status: 'open', closed_at: null, closed_by: null });
    const events = (await b.call('GET', '/admin/audit?limit=200', { admin: true })).body.events;
    const mine = Object.fromEntries(events.filter((e: any) => e.room === 'fresh').map((e: any) => [e.action, e]));
    assert.ok(mine.room_close && mine.room_reopen && mine.room_create);
    assert.equal(mine.room_close.actor, 'titus');
    assert.ok(mine.room_close.detail, 'the close records when it happened');
    assert.equal((await b.call('POST', '/admin/rooms/fresh/close', { admin: true, body: { by: 7 } })).status, 400);
  });

  it('keeps /peers shape untouched by the lifecycle', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'r');
    await b.call('POST', '/admin/rooms/r/close', { admin: true });
    assert.deepEqual(Object.keys((await b.call('GET', '/peers', { code: a })).body).sort(), ['peers', 'room']);
  });
});

describe('state, stats and audit', () => {
  it('has every field of the operator state', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('alice', 'r1', { capabilities: 'plans' });
    await post(b, a, 'hello');
    const s = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.deepEqual(Object.keys(s).sort(), [
      'asked',
      'change_version',
      'codes',
      'hash_codes',
      'inbox',
      'max_idle_seconds',
      'messages',
      'peers',
      'public_url',
      'room',
      'room_status',
      'rooms',
      'roster',
      'version',
      'waiting',
      'webhooks',
    ]);
    assert.equal(s.version, (await b.call('GET', '/health')).body.version);
    assert.equal(s.public_url, b.url);
    assert.equal(s.hash_codes, false);
    assert.equal(s.room, null);
    assert.equal(s.max_idle_seconds, 1800);
    assert.deepEqual(
      s.peers.r1.map((p: any) => p.name),
      ['alice'],
    );
    assert.deepEqual(s.roster.r1[0].sources, ['presence', 'code', 'messages']);
    assert.equal(s.roster.r1[0].capabilities, 'plans');
    assert.equal(s.codes[0].name, 'alice');
    assert.equal(s.rooms[0].room, 'r1');
    assert.equal(s.rooms[0].messages, 1);
    assert.ok(s.rooms[0].seconds_since_last < 60);
    assert.deepEqual(
      s.messages.map((m: any) => [m.room, m.text]),
      [['r1', 'hello']],
    );
  });

  it('scopes messages with ?room= and keeps the newest 60 across all rooms otherwise', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '0' });
    const quiet = await b.invite('quiet', 'perroom-a');
    const busy = await b.invite('busy', 'perroom-b');
    await post(b, quiet, 'quiet-line');
    for (let i = 0; i < 70; i++) await post(b, busy, `busy-line-${i}`);
    const scoped = (await b.call('GET', '/admin/state?room=perroom-a', { admin: true })).body;
    assert.equal(scoped.room, 'perroom-a');
    assert.deepEqual(
      scoped.messages.map((m: any) => m.text),
      ['quiet-line'],
    );
    const all = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.equal(all.messages.length, 60);
    assert.equal(all.messages.at(-1).text, 'busy-line-69');
    assert.deepEqual(
      all.rooms.map((r: any) => r.room),
      ['perroom-b', 'perroom-a'],
      'most recently active first',
    );
  });

  it('keeps a durable roster without presence and lists DMs to the operator', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('worker', 'r');
    await post(b, a, 'done, over to you', { to: 'operator' });
    const s = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.equal(s.messages[0].to, 'operator');
    assert.equal(s.waiting[0].expects_reply_resolved, 'operator');
  });

  it('lists questions in the inbox until the addressed party answers, across rooms', async (t) => {
    const b = await startBridge(t);
    const waiter = await b.invite('waiter', 'waitapi');
    const far = await b.invite('elsewhere', 'waitfar');
    await post(b, waiter, 'which provider?', { expects_reply: 'anyone' });
    await post(b, far, 'blocked over here', { expects_reply: 'anyone' });
    await post(b, far, 'fyi');
    const state = (await b.call('GET', '/admin/state?room=default', { admin: true })).body;
    const rows = state.waiting;
    assert.deepEqual(rows.map((w: any) => w.room).sort(), ['waitapi', 'waitfar'], 'not scoped by ?room=');
    const mine = rows.find((w: any) => w.room === 'waitapi');
    assert.deepEqual([mine.from, mine.text, mine.expects_reply_resolved], ['waiter', 'which provider?', 'anyone']);
    assert.ok(mine.waiting_seconds >= 0);
    assert.ok('claimed_by' in mine && 'seq' in mine && 'ts' in mine);
    await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'waitapi', to: 'waiter', text: 'the second one' },
    });
    const after = (await b.call('GET', '/admin/state', { admin: true })).body.waiting;
    assert.deepEqual(
      after.map((w: any) => w.room),
      ['waitfar'],
    );
    await b.call('POST', '/admin/rooms/waitfar/close', { admin: true });
    assert.deepEqual((await b.call('GET', '/admin/state', { admin: true })).body.waiting, []);
  });

  it("shows in the inbox only what waits on the operator; the operator's questions wait on agents", async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'build');
    const bob = await b.invite('bob', 'build');
    const say = (body: Record<string, unknown>) => b.call('POST', '/admin/say', { admin: true, body });
    const state = async () => (await b.call('GET', '/admin/state', { admin: true })).body;
    // The README's example: argybargy post build "…" --to alice --expects alice --as titus
    const asked = (await say({ room: 'build', text: 'ship it?', to: 'alice', expects_reply: 'alice', sender: 'titus' }))
      .body.message;
    await post(b, bob, 'alice, can you review?', { to: 'alice' });
    let s = await state();
    assert.deepEqual(s.inbox, [], "neither the operator's question nor bob's to alice waits on the operator");
    assert.deepEqual(
      s.asked.map((w: any) => [w.seq, w.from, w.expects_reply_resolved, w.waits_on, w.asked_by_operator]),
      [[asked.seq, 'titus', 'alice', 'agent', true]],
    );
    assert.deepEqual(
      s.waiting.map((w: any) => [w.from, w.waits_on, w.asked_by_operator]),
      [
        ['titus', 'agent', true],
        ['bob', 'agent', false],
      ],
      "SPEC's waiting: every open question but those sent as `operator`, as the original had it",
    );
    // alice answers titus (a DM to titus expects titus): that one waits on the operator.
    await post(b, alice, 'yes, after lunch. ok?', { to: 'titus' });
    s = await state();
    assert.deepEqual(s.asked, [], 'answered by alice');
    assert.deepEqual(
      s.inbox.map((w: any) => [w.from, w.expects_reply_resolved, w.waits_on]),
      [['alice', 'titus', 'operator']],
    );
    // A name the operator posted under in one room is an agent's name in another.
    const other = await b.invite('titus', 'elsewhere');
    const carol = await b.invite('carol', 'elsewhere');
    await post(b, carol, 'titus, ping', { to: 'titus' });
    s = await state();
    assert.deepEqual(
      s.inbox.map((w: any) => w.room),
      ['build'],
    );
    assert.ok(other);
  });

  it("posting through /admin/say as an agent's name never makes that agent an operator", async (t) => {
    const b = await startBridge(t);
    const al = await b.invite('al', 'r2');
    await b.invite('bo', 'r2');
    await b.invite('alice', 'r2');
    const bob = await b.invite('bob', 'r2');
    const say = (sender: string) =>
      b.call('POST', '/admin/say', { admin: true, body: { room: 'r2', sender, text: `the operator, as ${sender}` } });
    // argybargy post r2 "…" --as al (and --as alice): accepted, as the original does.
    assert.equal((await say('al')).status, 200);
    assert.equal((await say('alice')).status, 200);
    // A name the operator used before an agent of that name got a code.
    assert.equal((await say('cy')).status, 200);
    const cy = await b.invite('cy', 'r2');
    await post(b, cy, 'bo, ready?', { expects_reply: 'bo' });
    await post(b, bob, 'alice, review?', { to: 'alice', expects_reply: 'alice' });
    await post(b, al, 'q', { expects_reply: 'anyone' });
    const s = (await b.call('GET', '/admin/state?room=r2', { admin: true })).body;
    const rows = (list: any[]) => list.map((w: any) => [w.from, w.waits_on, w.asked_by_operator]);
    assert.deepEqual(rows(s.asked), [], "no agent's question is the operator's");
    assert.deepEqual(rows(s.inbox), []);
    assert.deepEqual(
      s.waiting.map((w: any) => [w.from, w.expects_reply_resolved, w.waits_on, w.asked_by_operator]).sort(),
      [
        ['al', 'anyone', 'agent', false],
        ['bob', 'alice', 'agent', false],
        ['cy', 'bo', 'agent', false],
      ],
    );
    // The operator's own name still counts.
    await say('titus');
    await post(b, al, 'titus?', { to: 'titus' });
    const again = (await b.call('GET', '/admin/state?room=r2', { admin: true })).body;
    assert.deepEqual(rows(again.inbox), [['al', 'operator', false]]);
  });

  it("shows a question to a name that is no member as waiting on nobody: an agent's in the inbox, the operator's in asked", async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'build');
    await b.invite('bob', 'build');
    await post(b, alice, 'bob?', { to: 'bbo' });
    await post(b, alice, 'all of you?', { expects_reply: 'everyone' });
    await b.call('POST', '/admin/say', { admin: true, body: { room: 'build', text: 'hi', to: 'carl' } });
    const s = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.deepEqual(
      s.inbox.map((w: any) => [w.from, w.expects_reply_resolved, w.waits_on]),
      [
        ['alice', 'bbo', 'nobody'],
        ['alice', 'everyone', 'nobody'],
      ],
    );
    // The repro: operator → bbo and titus expects everyone appear once, in asked.
    await b.call('POST', '/admin/say', { admin: true, body: { room: 'build', text: 'bbo?', to: 'bbo' } });
    await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'build', text: 'all?', sender: 'titus', expects_reply: 'everyone' },
    });
    const again = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.deepEqual(
      again.asked.map((w: any) => [w.from, w.expects_reply_resolved, w.waits_on, w.asked_by_operator]),
      [
        ['operator', 'carl', 'nobody', true],
        ['operator', 'bbo', 'nobody', true],
        ['titus', 'everyone', 'nobody', true],
      ],
    );
    const inboxSeqs = new Set(again.inbox.map((w: any) => w.seq));
    assert.deepEqual(
      again.asked.filter((w: any) => inboxSeqs.has(w.seq)),
      [],
      'no question is in both',
    );
    assert.ok(again.inbox.every((w: any) => !w.asked_by_operator));
  });

  it('counts in stats', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'one');
    await b.invite('c', 'two');
    await post(b, a, 'x');
    const s = (await b.call('GET', '/admin/stats', { admin: true })).body;
    assert.deepEqual(Object.keys(s).sort(), [
      'codes',
      'messages',
      'online_peers',
      'parked_polls',
      'rooms',
      'uptime_seconds',
      'version',
    ]);
    // Rooms with messages, as the original counted them: "two" has a code but no message.
    assert.deepEqual([s.codes, s.messages, s.online_peers, s.rooms], [2, 1, 1, 1]);
    assert.ok(s.uptime_seconds >= 0);
  });

  it('returns audit events with every field, honours limit, refuses limits out of range', async (t) => {
    const b = await startBridge(t);
    await b.invite('auditee');
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'auditee' } });
    const events = (await b.call('GET', '/admin/audit', { admin: true })).body.events;
    assert.deepEqual(
      events.map((e: any) => e.action),
      ['invite', 'revoke'],
    );
    for (const e of events) assert.deepEqual(Object.keys(e).sort(), ['action', 'actor', 'detail', 'room', 'ts']);
    assert.equal((await b.call('GET', '/admin/audit?limit=1', { admin: true })).body.events.length, 1);
    for (const bad of ['0', '1001', 'x', '-3']) {
      assert.equal((await b.call('GET', `/admin/audit?limit=${bad}`, { admin: true })).status, 400, bad);
    }
  });
});

describe('changes long-poll', () => {
  it('answers at once on a stale version, parks on the current one, and wakes on any change', async (t) => {
    const b = await startBridge(t);
    const v0 = (await b.call('GET', '/admin/state', { admin: true })).body.change_version;
    const code = await b.invite('a', 'r');
    const stale = await b.call('GET', `/admin/changes?since=${v0}&wait=10`, { admin: true });
    assert.notEqual(stale.body.version, v0, 'the invite changed the version');
    const v1 = stale.body.version;
    const parked = b.call('GET', `/admin/changes?since=${v1}&wait=10`, { admin: true });
    await new Promise((r) => setTimeout(r, 150));
    const t0 = performance.now();
    await post(b, code, 'something happened');
    const woke = await parked;
    assert.ok(performance.now() - t0 < 1000);
    assert.notEqual(woke.body.version, v1);
    const idle = await b.call('GET', `/admin/changes?since=${woke.body.version}&wait=1`, { admin: true });
    assert.equal(idle.body.version, woke.body.version, 'nothing changed: same version after the wait');
    assert.equal((await b.call('GET', '/admin/changes?since=0&wait=1')).status, 401);
  });
});
