import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CLAIM_REOPENED, NOTICE_SENDER } from '../../src/domain/leases.js';
import type { StoredMessage } from '../../src/domain/message.js';
import type { ClaimLease, Store } from '../../src/store/store.js';
import { add, T0, type WithStore } from './contract-support.js';

/** The default lease of these tests: 60 s. */
const lease = (nowMs: number, defaultSeconds = 60): ClaimLease => ({ nowMs, defaultSeconds, maxPerRoom: 0 });

/** A code for `name` in `room` (holders need one, or the sweep reopens their claims as revoked). */
async function code(s: Store, room: string, name: string, expiresAt: number | null = null): Promise<void> {
  const hash = `h-${room}-${name}-${expiresAt}`;
  await s.createCode({ hash, plain: hash, display: hash, name, room, capabilities: '', createdAt: T0, expiresAt }, 0);
}

async function reread(s: Store, room: string, seq: number): Promise<StoredMessage> {
  const m = (await s.recent(1000, room)).find((x) => x.seq === seq);
  if (!m) throw new Error(`no message ${seq} in ${room}`);
  return m;
}

/** The notices (kind claim_reopened) stored in `room`. */
async function notices(s: Store, room: string): Promise<StoredMessage[]> {
  return (await s.recent(1000, room)).filter((m) => m.kind === CLAIM_REOPENED);
}

/** The Store contract for claim leases (src/store/store.ts, domain/leases.ts), run inside storeContract. */
export function leasesContract(withStore: WithStore): void {
  it(
    'a won claim holds for the default lease or the question’s own; 0 is for good; the holder renews',
    withStore(async (s) => {
      for (const n of ['bob', 'carol']) await code(s, 'r', n);
      const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
      const own = await add(s, 'r', 'alice', 'quick?', { expectsReply: 'anyone', claimLease: 5 });
      const forever = await add(s, 'r', 'alice', 'whenever?', { expectsReply: 'anyone', claimLease: 0 });
      assert.equal(own.claim_lease, 5);
      assert.equal(q.claim_lease, null);
      assert.deepEqual(await s.claim('r', q.seq, 'bob', lease(T0)), {
        found: true,
        won: true,
        claimedBy: 'bob',
        answeredBy: null,
        leaseExpiresAt: T0 + 60_000,
      });
      assert.equal((await s.claim('r', own.seq, 'bob', lease(T0))).found && 1, 1);
      assert.equal((await reread(s, 'r', own.seq)).claim_expires_at, T0 + 5000);
      const f = await s.claim('r', forever.seq, 'bob', lease(T0));
      assert.ok(f.found && f.won && f.leaseExpiresAt === null, 'claim_lease 0 holds for good');
      assert.equal((await s.claim('r', q.seq, 'bob', lease(T0 + 1000, 0))).found, true);
      const noDefault = await add(s, 'r', 'alice', 'no default?', { expectsReply: 'anyone' });
      const nd = await s.claim('r', noDefault.seq, 'carol', lease(T0, 0));
      assert.ok(nd.found && nd.won && nd.leaseExpiresAt === null, 'a default of 0 holds for good');

      // The holder claiming again renews; another claimer loses and learns when the lease lapses.
      const renewed = await s.claim('r', q.seq, 'bob', lease(T0 + 30_000));
      assert.ok(renewed.found && renewed.won && renewed.renewed === true, 'a renewal says so');
      assert.equal(renewed.leaseExpiresAt, T0 + 90_000);
      assert.deepEqual(await s.claim('r', q.seq, 'carol', lease(T0 + 31_000)), {
        found: true,
        won: false,
        claimedBy: 'bob',
        answeredBy: null,
        leaseExpiresAt: T0 + 90_000,
      });
      assert.equal((await reread(s, 'r', q.seq)).claim_expires_at, T0 + 90_000);
    }),
  );

  it(
    'a lapsed lease is reopened by the sweep exactly once, with one notice, however many sweeps race',
    withStore(async (s, reopen) => {
      for (const n of ['bob', 'carol']) await code(s, 'r', n);
      const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
      const dm = await add(s, 'r', 'alice', 'you, privately?', { to: 'carol', expectsReply: 'anyone' });
      await s.claim('r', q.seq, 'bob', lease(T0));
      await s.claim('r', dm.seq, 'carol', lease(T0, 120));
      assert.deepEqual(await s.sweepClaims(T0 + 59_999, 0), [], 'not before the lease lapses');

      // The expiry is in the database: a new handle (a restarted node) sweeps it.
      const s2 = await reopen();
      const swept = (await Promise.all(Array.from({ length: 6 }, () => s2.sweepClaims(T0 + 60_000, 0)))).flat();
      assert.equal(swept.length, 1, 'one reopening across racing sweeps');
      const [r] = swept;
      assert.deepEqual(
        [r.holder, r.reason, r.question.seq, r.question.claimed_by],
        ['bob', 'lease_expired', q.seq, null],
      );
      assert.deepEqual(
        [r.notice.from, r.notice.to, r.notice.reply_to, r.notice.kind, r.notice.reason, r.notice.expects_reply],
        [NOTICE_SENDER, 'all', q.seq, CLAIM_REOPENED, 'lease_expired', 'none'],
      );
      assert.match(r.notice.text, new RegExp(`Message ${q.seq} is open again: bob`));
      assert.equal((await notices(s2, 'r')).length, 1);
      const stored = await reread(s2, 'r', q.seq);
      assert.deepEqual([stored.claimed_by, stored.claim_expires_at], [null, null]);
      assert.equal((await s2.readSince('r', 'carol', q.seq, 10)).messages.at(-1)?.kind, CLAIM_REOPENED, 'delivered');
      assert.ok(!(await s2.members('r', T0)).has(NOTICE_SENDER), 'a notice makes its sender no member');
      assert.deepEqual(await s2.sweepClaims(T0 + 60_000, 0), [], 'nothing left to reopen');

      // The DM question's lease lapses later; its notice goes to its own audience.
      const [d] = await s2.sweepClaims(T0 + 120_000, 0);
      assert.deepEqual([d.question.seq, d.notice.to], [dm.seq, 'carol']);
      assert.equal((await s2.history('r', 'bob', 100)).filter((m) => m.kind !== null).length, 1, 'bob sees one notice');

      // Reopened, it is claimable again: first writer wins.
      const wins = await Promise.all(['bob', 'carol'].map((n) => s2.claim('r', q.seq, n, lease(T0 + 61_000))));
      assert.equal(wins.filter((w) => w.found && w.won).length, 1);
    }),
  );

  it(
    'a claim on a lapsed lease reopens it first: exactly one of many racing claimers wins, one notice',
    withStore(async (s) => {
      const names = Array.from({ length: 10 }, (_, i) => `a${i}`);
      for (const n of ['bob', ...names]) await code(s, 'r', n);
      const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
      await s.claim('r', q.seq, 'bob', lease(T0));
      const results = await Promise.all(names.map((n) => s.claim('r', q.seq, n, lease(T0 + 61_000))));
      const winners = results.filter((r) => r.found && r.won);
      assert.equal(winners.length, 1);
      assert.equal(results.filter((r) => r.found && r.reopened).length, 1, 'one claimer reopened it');
      const reopened = results.find((r) => r.found && r.reopened);
      assert.ok(reopened?.found && reopened.reopened?.holder === 'bob');
      assert.equal((await notices(s, 'r')).length, 1);
      const winner = winners[0].found ? winners[0].claimedBy : '';
      assert.equal((await reread(s, 'r', q.seq)).claimed_by, winner);
      for (const r of results) assert.ok(r.found && r.claimedBy === winner);
      // Without a lease the store lapses nothing.
      const q2 = await add(s, 'r', 'alice', 'again?', { expectsReply: 'anyone' });
      await s.claim('r', q2.seq, 'bob', lease(T0));
      const late = await s.claim('r', q2.seq, 'a1');
      assert.ok(late.found && !late.won && late.claimedBy === 'bob');
    }),
  );

  it(
    'an answer ends the lease: the answer stands and nothing reopens',
    withStore(async (s) => {
      await code(s, 'r', 'bob');
      const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
      await s.claim('r', q.seq, 'bob', lease(T0));
      await add(s, 'r', 'bob', 'here you go', { replyTo: q.seq, at: T0 + 1000 });
      const a = await reread(s, 'r', q.seq);
      assert.deepEqual([a.answered_by, a.claimed_by, a.claim_expires_at], ['bob', 'bob', null]);
      assert.deepEqual(await s.sweepClaims(T0 + 3_600_000, 0), []);
      const again = await s.claim('r', q.seq, 'bob', lease(T0 + 2000));
      assert.ok(again.found && !again.won && again.answeredBy === 'bob', 'no renewal after the answer');
    }),
  );

  it(
    'the holder releases its claim (one notice); others cannot, and say who holds it',
    withStore(async (s) => {
      for (const n of ['bob', 'carol']) await code(s, 'r', n);
      const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
      const dm = await add(s, 'r', 'alice', 'secret', { to: 'bob', expectsReply: 'bob' });
      assert.deepEqual(await s.releaseClaim('r', q.seq, 'bob', T0, 0), {
        found: true,
        released: false,
        claimedBy: null,
        answeredBy: null,
      });
      await s.claim('r', q.seq, 'bob', lease(T0));
      assert.deepEqual(await s.releaseClaim('r', q.seq, 'carol', T0, 0), {
        found: true,
        released: false,
        claimedBy: 'bob',
        answeredBy: null,
      });
      assert.deepEqual(await s.releaseClaim('r', dm.seq, 'carol', T0, 0), { found: false });
      assert.deepEqual(await s.releaseClaim('r', 999, 'bob', T0, 0), { found: false });
      const rel = await s.releaseClaim('r', q.seq, 'bob', T0 + 5000, 0);
      assert.ok(rel.found && rel.released);
      assert.deepEqual(
        [rel.reopened.reason, rel.reopened.notice.reply_to, rel.reopened.notice.at],
        ['released', q.seq, T0 + 5000],
      );
      assert.equal((await reread(s, 'r', q.seq)).claimed_by, null);
      const twice = await s.releaseClaim('r', q.seq, 'bob', T0 + 6000, 0);
      assert.ok(twice.found && !twice.released);
      assert.equal((await notices(s, 'r')).length, 1);
      const c = await s.claim('r', q.seq, 'carol', lease(T0 + 7000));
      assert.ok(c.found && c.won);
    }),
  );

  it(
    'a holder whose code expired or was revoked loses its claims to the sweep; a live code keeps them',
    withStore(async (s) => {
      await code(s, 'r', 'bob', T0 + 10_000);
      await code(s, 'r', 'carol');
      await code(s, 'r', 'dave');
      await code(s, 'r', 'erin', T0 + 10_000);
      await code(s, 'r', 'erin'); // a second, live code keeps erin's claim
      const qs = [];
      for (let i = 0; i < 4; i++) qs.push(await add(s, 'r', 'alice', `q${i}`, { expectsReply: 'anyone' }));
      const lasting = lease(T0, 0);
      await s.claim('r', qs[0].seq, 'bob', lasting);
      await s.claim('r', qs[1].seq, 'carol', lasting);
      await s.claim('r', qs[2].seq, 'dave', lasting);
      await s.claim('r', qs[3].seq, 'erin', lasting);
      assert.deepEqual(await s.sweepClaims(T0 + 9_999, 0), []);
      await s.revokeCodes('carol', 'nothing', 'r');
      const swept = await s.sweepClaims(T0 + 10_000, 0);
      assert.deepEqual(
        swept.map((r) => [r.question.seq, r.holder, r.reason]),
        [
          [qs[0].seq, 'bob', 'holder_expired'],
          [qs[1].seq, 'carol', 'holder_revoked'],
        ],
      );
      assert.deepEqual(
        (await notices(s, 'r')).map((m) => m.reason),
        ['holder_expired', 'holder_revoked'],
      );
      assert.equal((await reread(s, 'r', qs[2].seq)).claimed_by, 'dave');
      assert.equal((await reread(s, 'r', qs[3].seq)).claimed_by, 'erin');
    }),
  );

  it(
    'a closed room is not swept until it reopens',
    withStore(async (s) => {
      await code(s, 'r', 'bob');
      const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
      await s.claim('r', q.seq, 'bob', lease(T0));
      await s.setRoomStatus('r', true, 'operator', T0);
      assert.deepEqual(await s.sweepClaims(T0 + 61_000, 0), []);
      await s.setRoomStatus('r', false, 'operator', T0);
      assert.equal((await s.sweepClaims(T0 + 61_000, 0)).length, 1);
    }),
  );
}
