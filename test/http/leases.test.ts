import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poll, post, startBridge, type TestBridge } from '../helpers.js';

/** A bridge on a clock the test moves (the lease sweep reads the same clock), with agents in room `r`. */
async function room(t: Parameters<typeof startBridge>[0], names: string[], env: Record<string, string> = {}) {
  let clock = Date.now();
  const b = await startBridge(t, env, { now: () => clock });
  const codes: Record<string, string> = {};
  for (const n of names) codes[n] = await b.invite(n, 'r');
  return {
    b,
    codes,
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
}

async function ask(b: TestBridge, code: string, text: string, extra: Record<string, unknown> = {}) {
  const r = await post(b, code, text, { expects_reply: 'anyone', ...extra });
  assert.equal(r.status, 200, r.text);
  return r.body.message as { seq: number; lease_expires_at: string | null; kind: string | null; reason: string | null };
}

const claim = (b: TestBridge, code: string, seq: number) => b.call('POST', `/messages/${seq}/claim`, { code });
const release = (b: TestBridge, code: string, seq: number) => b.call('DELETE', `/messages/${seq}/claim`, { code });
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;

/** Polls as `code` from `since` until a claim_reopened notice arrives (the poll parks meanwhile); returns it. */
async function nextNotice(b: TestBridge, code: string, since: number) {
  const end = Date.now() + 20_000;
  let cursor = since;
  while (Date.now() < end) {
    const r = await poll(b, code, cursor, 10);
    assert.equal(r.status, 200, r.text);
    const n = r.body.messages.find((m: any) => m.kind === 'claim_reopened');
    if (n) return n;
    cursor = r.body.cursor;
  }
  throw new Error('no claim_reopened notice arrived');
}

describe('claim leases over HTTP', () => {
  it('a claim answers lease_expires_at; the holder renews; messages carry the lease; others lose and see it', async (t) => {
    const { b, codes, advance, now } = await room(t, ['alice', 'bob', 'carol']);
    const q = await ask(b, codes.alice, 'who takes the migration?');
    assert.deepEqual([q.lease_expires_at, q.kind, q.reason], [null, null, null], 'every message carries the fields');
    const won = await claim(b, codes.bob, q.seq);
    assert.equal(won.status, 200);
    assert.deepEqual(won.body, { won: true, claimed_by: 'bob', seq: q.seq, lease_expires_at: iso(now() + 600_000) });
    advance(30_000);
    const renewed = await claim(b, codes.bob, q.seq);
    // The holder claiming again renews, answered as the original answered it (409, itself).
    assert.equal(renewed.status, 409, renewed.text);
    assert.deepEqual(
      [renewed.body.won, renewed.body.claimed_by, renewed.body.renewed, renewed.body.error],
      [false, 'bob', true, 'already_claimed'],
    );
    assert.equal(renewed.body.lease_expires_at, iso(now() + 600_000));
    assert.match(renewed.body.detail, /You already hold/);
    const lost = await claim(b, codes.carol, q.seq);
    assert.equal(lost.status, 409);
    assert.deepEqual([lost.body.claimed_by, lost.body.lease_expires_at], ['bob', renewed.body.lease_expires_at]);
    const hist = await b.call('GET', '/history', { code: codes.carol });
    const m = hist.body.messages.find((x: any) => x.seq === q.seq);
    assert.deepEqual([m.claimed_by, m.lease_expires_at], ['bob', renewed.body.lease_expires_at]);

    // A per-question lease, and 0 for good; bad values are a 400 naming claim_lease.
    const short = await ask(b, codes.alice, 'quick one', { claim_lease: 45 });
    assert.equal((await claim(b, codes.carol, short.seq)).body.lease_expires_at, iso(now() + 45_000));
    const forever = await ask(b, codes.alice, 'no hurry', { claim_lease: 0 });
    assert.equal((await claim(b, codes.carol, forever.seq)).body.lease_expires_at, null);
    for (const bad of [-1, 1.5, '60', 1_000_000_001]) {
      const r = await post(b, codes.alice, 'x', { expects_reply: 'anyone', claim_lease: bad });
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.match(r.body.detail, /claim_lease/);
    }
    const say = await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'r', text: 'anyone?', expects_reply: 'anyone', claim_lease: 20 },
    });
    assert.equal(say.status, 200, say.text);
    assert.equal((await claim(b, codes.bob, say.body.message.seq)).body.lease_expires_at, iso(now() + 20_000));

    // Answering ends the lease.
    await post(b, codes.bob, 'done', { reply_to: q.seq });
    const after = (await b.call('GET', '/history', { code: codes.bob })).body.messages.find(
      (x: any) => x.seq === q.seq,
    );
    assert.deepEqual([after.answered_by, after.lease_expires_at], ['bob', null]);
  });

  it('a lapsed lease reopens the question, wakes a parked long-poll with the notice, and one of 20 racing agents wins', async (t) => {
    const racers = Array.from({ length: 20 }, (_, i) => `agent${i}`);
    const { b, codes, advance } = await room(t, ['alice', 'bob', ...racers], { ARGYBARGY_CLAIM_LEASE_SECONDS: '60' });
    const q = await ask(b, codes.alice, 'who can fix the flaky test?');
    assert.equal((await claim(b, codes.bob, q.seq)).status, 200);
    const cursor = (await poll(b, codes.agent0, 0)).body.cursor;
    // agent0 parks; nothing happens until the lease lapses.
    const parked = poll(b, codes.agent0, cursor, 20);
    advance(60_000);
    const woke = await parked;
    assert.equal(woke.status, 200);
    const notice = woke.body.messages.find((m: any) => m.kind === 'claim_reopened');
    assert.ok(notice, `the parked poll woke with the notice: ${woke.text}`);
    assert.deepEqual(
      [notice.from, notice.to, notice.reply_to, notice.reason, notice.expects_reply, notice.claimed_by],
      ['argybargy', 'all', q.seq, 'lease_expired', 'none', null],
    );
    const question = (await b.call('GET', '/history', { code: codes.agent1 })).body.messages.find(
      (m: any) => m.seq === q.seq,
    );
    assert.deepEqual([question.claimed_by, question.lease_expires_at], [null, null]);

    const results = await Promise.all(racers.map((n) => claim(b, codes[n], q.seq)));
    const wins = results.filter((r) => r.status === 200);
    assert.equal(wins.length, 1, 'exactly one of 20 racing agents wins');
    assert.equal(results.filter((r) => r.status === 409).length, 19);
    for (const r of results) assert.equal(r.body.claimed_by, wins[0].body.claimed_by);
    const notices = (await b.call('GET', '/history', { code: codes.alice })).body.messages.filter(
      (m: any) => m.kind === 'claim_reopened',
    );
    assert.equal(notices.length, 1, 'one notice');
    // The reserved sender is nobody's to take.
    const squat = await b.call('POST', '/admin/invite', { admin: true, body: { name: 'ArgyBargy', room: 'r' } });
    assert.equal(squat.status, 400);
    const as = await b.call('POST', '/admin/say', {
      admin: true,
      body: { room: 'r', text: 'hi', sender: 'argybargy' },
    });
    assert.equal(as.status, 400);
  });

  it('a claim that finds a lapsed lease reopens it at once and can win', async (t) => {
    const { b, codes, advance } = await room(t, ['alice', 'bob', 'carol']);
    const q = await ask(b, codes.alice, 'who?', { claim_lease: 1000 });
    assert.equal((await claim(b, codes.bob, q.seq)).status, 200);
    advance(1_000_000);
    // The sweep may or may not have run yet: either way carol's claim wins, and one notice is posted.
    const r = await claim(b, codes.carol, q.seq);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.claimed_by, 'carol');
    const notice = await nextNotice(b, codes.carol, q.seq);
    assert.deepEqual([notice.reply_to, notice.reason], [q.seq, 'lease_expired']);
  });

  it('revoking a claimant reopens its claim at once', async (t) => {
    const { b, codes } = await room(t, ['alice', 'bob', 'carol']);
    const q = await ask(b, codes.alice, 'who reviews?');
    assert.equal((await claim(b, codes.bob, q.seq)).status, 200);
    const cursor = (await poll(b, codes.carol, 0)).body.cursor;
    const parked = poll(b, codes.carol, cursor, 20);
    const rev = await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'bob' } });
    assert.equal(rev.body.revoked, 1);
    const woke = await parked;
    const notice = woke.body.messages.find((m: any) => m.kind === 'claim_reopened');
    assert.ok(notice, woke.text);
    assert.deepEqual([notice.reply_to, notice.reason], [q.seq, 'holder_revoked']);
    assert.match(notice.text, /bob held the claim and their access was revoked/);
    const won = await claim(b, codes.carol, q.seq);
    assert.equal(won.status, 200, 'no more 409 claimed_by: <revoked agent>');
  });

  it('an expired claimant loses its claim to the sweep', async (t) => {
    const { b, codes, advance } = await room(t, ['alice', 'carol']);
    const bob = await b.invite('bob', 'r', { expires: '1h' });
    const q = await ask(b, codes.alice, 'who?', { claim_lease: 0 });
    assert.equal((await claim(b, bob, q.seq)).status, 200);
    advance(3_600_000);
    const notice = await nextNotice(b, codes.carol, q.seq);
    assert.deepEqual([notice.reply_to, notice.reason], [q.seq, 'holder_expired']);
    assert.equal((await claim(b, codes.carol, q.seq)).status, 200);
  });

  it('the holder releases; anyone else is refused with a clear error', async (t) => {
    const { b, codes } = await room(t, ['alice', 'bob', 'carol']);
    const q = await ask(b, codes.alice, 'who?');
    const none = await release(b, codes.bob, q.seq);
    assert.equal(none.status, 409);
    assert.equal(none.body.error, 'not_claimed');
    assert.equal((await claim(b, codes.bob, q.seq)).status, 200);
    const other = await release(b, codes.carol, q.seq);
    assert.equal(other.status, 403);
    assert.deepEqual([other.body.error, other.body.claimed_by], ['not_claim_holder', 'bob']);
    assert.match(other.body.detail, /only the holder may release/);
    assert.equal((await release(b, codes.bob, 999)).status, 404);
    assert.equal((await release(b, codes.bob, 0)).status, 400);
    const mine = await release(b, codes.bob, q.seq);
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(Object.keys(mine.body).sort(), ['notice_seq', 'released', 'seq']);
    const notice = (await b.call('GET', '/history', { code: codes.carol })).body.messages.find(
      (m: any) => m.seq === mine.body.notice_seq,
    );
    assert.deepEqual([notice.kind, notice.reason, notice.reply_to], ['claim_reopened', 'released', q.seq]);
    assert.equal((await release(b, codes.bob, q.seq)).status, 409, 'released twice');
    assert.equal((await claim(b, codes.carol, q.seq)).status, 200);
    // An answered question has no claim left to release.
    await post(b, codes.carol, 'answer', { reply_to: q.seq });
    const answered = await release(b, codes.carol, q.seq);
    assert.deepEqual([answered.status, answered.body.error, answered.body.answered_by], [409, 'not_claimed', 'carol']);
  });
});
