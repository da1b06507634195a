import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poll, post, startBridge } from '../helpers.js';

describe('posting rules', () => {
  it('refuses a post into a closed room with 409 room_closed naming who closed it, storing nothing', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '2' });
    const a = await b.invite('lifer', 'lc');
    await post(b, a, 'here');
    await b.call('POST', '/admin/rooms/lc/close', { admin: true, body: { by: 'titus' } });
    for (let i = 0; i < 3; i++) {
      const r = await post(b, a, 'one more thing');
      assert.equal(r.status, 409);
      assert.equal(r.body.error, 'room_closed');
      assert.equal(r.body.closed_by, 'titus');
      assert.match(r.body.closed_at, /^\d{4}-/);
      assert.match(r.body.detail, /titus/);
    }
    assert.deepEqual(
      (await b.call('GET', '/history', { code: a })).body.messages.map((m: any) => m.text),
      ['here'],
    );
    await b.call('POST', '/admin/rooms/lc/reopen', { admin: true });
    assert.equal((await post(b, a, 'back')).status, 200, 'closed-room refusals did not use up the rate limit');
  });

  it('rate-limits per agent with 429, Retry-After and rate_limited; only accepted posts count', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '3', ARGYBARGY_RATE_WINDOW: '30' });
    const noisy = await b.invite('noisy');
    const quiet = await b.invite('quiet');
    for (let i = 0; i < 3; i++) assert.equal((await post(b, noisy, `n${i}`)).status, 200);
    const r = await post(b, noisy, 'one too many');
    assert.equal(r.status, 429);
    assert.equal(r.body.error, 'rate_limited');
    const retry = Number(r.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 30, `Retry-After ${retry}`);
    assert.equal(r.body.retry_after, retry);
    assert.match(r.body.detail, /3 messages per 30 seconds/);
    assert.equal((await post(b, quiet, 'still fine')).status, 200, 'one noisy agent does not lock out others');
    assert.equal((await b.call('GET', '/history', { code: quiet })).body.messages.length, 4);
  });

  it('lets posts through again after the window', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '1', ARGYBARGY_RATE_WINDOW: '0.3' });
    const a = await b.invite('a');
    assert.equal((await post(b, a, '1')).status, 200);
    assert.equal((await post(b, a, '2')).status, 429);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await post(b, a, '3')).status, 200);
  });

  it('refuses the first message of a new room over ARGYBARGY_MAX_ROOMS with 403 room_quota', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_ROOMS: '1' });
    const first = await b.invite('pioneer', 'room-one');
    const second = await b.invite('latecomer', 'room-two');
    assert.equal((await post(b, first, 'first here')).status, 200);
    const r = await post(b, second, 'me too');
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'room_quota');
    assert.equal((await post(b, first, 'existing rooms go on')).status, 200);
    assert.deepEqual((await b.call('GET', '/history', { code: second })).body.messages, []);
  });

  it('checks closed, then rate, then quota', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_ROOMS: '1', ARGYBARGY_RATE_MAX: '1' });
    const a = await b.invite('a', 'one');
    const c = await b.invite('c', 'two');
    await post(b, a, 'x');
    assert.equal((await post(b, c, 'y')).status, 403, 'quota');
    assert.equal((await post(b, c, 'y')).status, 403, 'a quota refusal gave its rate slot back');
    await b.call('POST', '/admin/rooms/two/close', { admin: true });
    assert.equal((await post(b, c, 'y')).status, 409, 'closed comes first');
    assert.equal((await post(b, a, 'z')).status, 429);
  });
});

describe('posts naming somebody who is not in the room', () => {
  it('accepts a DM to a non-member and a typo in expects_reply with 200, saying so in warnings', async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'build');
    await b.invite('bob', 'build');
    await b.invite('bbo', 'elsewhere');
    const fine = await post(b, alice, 'hi bob', { to: 'bob' });
    assert.equal(fine.status, 200);
    assert.deepEqual(fine.body.warnings, []);
    assert.deepEqual((await post(b, alice, 'hello all')).body.warnings, []);
    assert.deepEqual((await post(b, alice, 'operator?', { to: 'operator' })).body.warnings, []);

    const dm = await post(b, alice, 'bob, can you review?', { to: 'bbo' });
    assert.equal(dm.status, 200);
    assert.equal(dm.body.message.to, 'bbo', 'stored as sent');
    assert.deepEqual(dm.body.warnings, [
      {
        warning: 'not_a_member',
        field: 'to',
        name: 'bbo',
        detail:
          'bbo is not in room build (members: alice, bob); the message was stored and waits until an agent of that name joins the room.',
      },
    ]);
    const typo = await post(b, alice, 'all of you?', { expects_reply: 'everyone' });
    assert.equal(typo.status, 200);
    assert.equal(typo.body.message.expects_reply, 'everyone');
    assert.deepEqual(
      typo.body.warnings.map((w: any) => [w.field, w.name]),
      [['expects_reply', 'everyone']],
    );
    const both = await post(b, alice, 'x', { to: 'bbo', expects_reply: 'carl' });
    assert.deepEqual(
      both.body.warnings.map((w: any) => [w.field, w.name]),
      [
        ['to', 'bbo'],
        ['expects_reply', 'carl'],
      ],
    );
  });

  it('counts a sender without a code as a member once it has posted, and a revoked code not at all', async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'build');
    await b.call('POST', '/admin/say', { admin: true, body: { room: 'build', text: 'hi', sender: 'titus' } });
    assert.deepEqual((await post(b, alice, 'titus?', { to: 'titus' })).body.warnings, []);
    await b.invite('gone', 'build', { expires: '10m' });
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'gone' } });
    assert.deepEqual(
      (await post(b, alice, 'gone?', { to: 'gone' })).body.warnings.map((w: any) => w.name),
      ['gone'],
    );
  });

  it("warns on expects_reply 'all' and on reserved recipients, agreeing with waits_on in /admin/state", async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'build');
    await b.invite('bob', 'build');
    const all = await post(b, alice, 'everybody answer?', { expects_reply: 'all' });
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.warnings.map((w: any) => [w.warning, w.field, w.name]),
      [['reserved_name', 'expects_reply', 'all']],
    );
    for (const to of ['anyone', 'none']) {
      const r = await post(b, alice, `to ${to}`, { to });
      assert.equal(r.status, 200, to);
      assert.deepEqual(
        r.body.warnings.map((w: any) => [w.warning, w.field, w.name]),
        [['reserved_name', 'to', to]],
        to,
      );
      assert.doesNotMatch(r.body.warnings[0].detail, /joins/, 'a reserved name can never join');
    }
    const said = await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'build', text: 'all?', to: 'alice', expects_reply: 'ALL' },
    });
    assert.deepEqual(
      said.body.warnings.map((w: any) => [w.warning, w.field, w.name]),
      [['reserved_name', 'expects_reply', 'ALL']],
    );
    const s = (await b.call('GET', '/admin/state', { admin: true })).body;
    const nobody = new Set([...s.inbox, ...s.asked].filter((w: any) => w.waits_on === 'nobody').map((w: any) => w.seq));
    assert.deepEqual([...nobody].sort(), [all.body.message.seq, said.body.message.seq].sort());
  });

  it('warns the operator too, on POST /admin/say', async (t) => {
    const b = await startBridge(t);
    await b.invite('alice', 'build');
    const r = await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'build', text: 'ship?', to: 'alcie', sender: 'titus' },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.warnings.map((w: any) => [w.field, w.name]),
      [['to', 'alcie']],
    );
    assert.match(r.body.warnings[0].detail, /\(members: alice, titus\)/);
    const ok = await b.call('POST', '/admin/say', { admin: true, body: { room: 'build', text: 'hi', to: 'alice' } });
    assert.deepEqual(ok.body.warnings, []);
  });
});

describe('message text', () => {
  it('round-trips emoji, HTML, whitespace and control characters exactly', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'r');
    const c = await b.invite('c', 'r');
    const texts = [
      '🤖👩‍💻 héllo 中文',
      '<img src=x onerror=alert(1)><script>x</script>&amp;',
      '  lead\n\ttrail  ',
      'nul\u0000byte',
      '"quotes" \\ back',
    ];
    for (const text of texts) assert.equal((await post(b, a, text)).body.message.text, text);
    assert.deepEqual(
      (await poll(b, c)).body.messages.map((m: any) => m.text),
      texts,
    );
  });

  it('counts emoji as one character each against ARGYBARGY_MAX_TEXT', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_TEXT: '10' });
    const a = await b.invite('a');
    assert.equal((await post(b, a, '🤖'.repeat(10))).status, 200);
    assert.equal((await post(b, a, 'x'.repeat(10))).status, 200);
    const over = await post(b, a, '🤖'.repeat(11));
    assert.equal(over.status, 400);
    assert.equal(over.body.error, 'bad_request');
    assert.equal((await post(b, a, 'x'.repeat(11))).status, 400);
  });

  it('accepts the default maximum and refuses one more', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    assert.equal((await post(b, a, 'x'.repeat(8000))).status, 200);
    assert.equal((await post(b, a, 'x'.repeat(8001))).status, 400);
  });

  it('refuses empty text, lone surrogates, and wrong types', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    const raw = (s: string) =>
      b.call('POST', '/messages', { code: a, raw: s, headers: { 'content-type': 'application/json' } });
    for (const body of [
      '{"text":""}',
      '{"text":"\\ud800"}',
      '{"text":"ok \\udc00 no"}',
      '{"text":"fine","to":"\\ud83d"}',
      '{"text":5}',
      '{"text":null}',
      '{"text":["a"]}',
      '{"text":"x","to":5}',
      '{"text":"x","expects_reply":{}}',
      '{"to":"all"}',
      '[]',
      '"text"',
      'null',
    ]) {
      const r = await raw(body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.error, 'bad_request', body);
      assert.equal(typeof r.body.detail, 'string');
    }
    assert.equal((await b.call('GET', '/history', { code: a })).body.messages.length, 0, 'nothing half-written');
  });

  it('refuses names longer than 64 characters in to and expects_reply', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    assert.equal((await post(b, a, 'x', { to: 'b'.repeat(65) })).status, 400);
    assert.equal((await post(b, a, 'x', { expects_reply: 'b'.repeat(65) })).status, 400);
    assert.equal((await post(b, a, 'x', { to: 'b'.repeat(64) })).status, 200);
  });

  it('ignores unknown fields', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    const r = await post(b, a, 'hello', { priority: 'high', nested: { x: 1 } });
    assert.equal(r.status, 200);
    assert.equal(r.body.message.text, 'hello');
  });

  it('reads a JSON body sent without a JSON content type (curl -d)', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    const r = await b.call('POST', '/messages', {
      code: a,
      raw: '{"text":"from curl"}',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.message.text, 'from curl');
  });
});

describe('claims', () => {
  it('lets exactly one of 20 concurrent claimers win; the rest get 409 naming the winner', async (t) => {
    const b = await startBridge(t);
    const asker = await b.invite('asker', 'claimroom');
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => b.invite(`c${i}`, 'claimroom')));
    const seq = (await post(b, asker, 'who?', { expects_reply: 'anyone' })).body.message.seq;
    const results = await Promise.all(codes.map((code) => b.call('POST', `/messages/${seq}/claim`, { code })));
    const won = results.filter((r) => r.status === 200);
    assert.equal(won.length, 1);
    const winner = won[0].body.claimed_by;
    const { lease_expires_at, ...original } = won[0].body;
    assert.deepEqual(original, { won: true, claimed_by: winner, seq }, "the original's answer, plus the lease");
    assert.match(lease_expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    for (const r of results.filter((x) => x.status !== 200)) {
      assert.equal(r.status, 409);
      assert.equal(r.body.won, false);
      assert.equal(r.body.claimed_by, winner);
      assert.equal(r.body.seq, seq);
      assert.equal(typeof r.body.error, 'string');
      assert.equal(typeof r.body.detail, 'string');
    }
    const again = await b.call('POST', `/messages/${seq}/claim`, { code: asker });
    assert.equal(again.status, 409);
    assert.equal((await poll(b, codes[0])).body.messages[0].claimed_by, winner);
    const audit = (await b.call('GET', '/admin/audit', { admin: true })).body.events;
    assert.equal(audit.filter((e: any) => e.action === 'claim').length, 1, 'only the win is audited');
  });

  it('answers 404 for an unknown seq and 400 for a malformed one', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    const r = await b.call('POST', '/messages/999999/claim', { code: a });
    assert.equal(r.status, 404);
    assert.equal(r.body.error, 'not_found');
    for (const bad of ['abc', '-1', '0', '1.5', '9007199254740993', '1e400']) {
      const e = await b.call('POST', `/messages/${bad}/claim`, { code: a });
      assert.equal(e.status, 400, bad);
    }
    assert.equal((await b.call('POST', '/messages/1/claim', {})).status, 401);
  });
});
