import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StoredMessage } from '../../src/domain/message.js';
import type { Store } from '../../src/store/store.js';
import { add, input, T0, type WithStore } from './contract-support.js';

/** The message `seq` of `room` as the operator view reads it now. */
async function reread(s: Store, room: string, seq: number): Promise<StoredMessage> {
  const m = (await s.recent(1000, room)).find((x) => x.seq === seq);
  if (!m) throw new Error(`no message ${seq} in ${room}`);
  return m;
}

const seqs = (ms: StoredMessage[]) => ms.map((m) => m.seq);

/** The Store contract for threads and answers (src/store/store.ts, domain/answers.ts), run inside storeContract. */
export function threadsContract(withStore: WithStore): void {
  it(
    'takes reply_to only for a message of the room the sender may see, and stores nothing otherwise',
    withStore(async (s) => {
      const q = await add(s, 'r', 'alice', 'question?', { expectsReply: 'anyone' });
      const dm = await add(s, 'r', 'alice', 'secret', { to: 'bob' });
      await add(s, 'other', 'alice', 'elsewhere');
      const reply = await add(s, 'r', 'bob', 'answer', { replyTo: q.seq });
      assert.equal(reply.reply_to, q.seq);
      assert.equal(q.reply_to, null, 'a message that replies to nothing says null');
      assert.equal((await s.history('r', 'carol', 10)).find((m) => m.seq === reply.seq)?.reply_to, q.seq);
      const before = await s.getRoom('r');
      for (const [from, replyTo, room] of [
        ['carol', 999, 'r'],
        ['carol', dm.seq, 'r'],
        ['carol', q.seq, 'nowhere'],
        ['carol', 2, 'other'],
      ] as const) {
        const res = await s.append(input(room, from, 'x', { replyTo }));
        assert.deepEqual(res, { ok: false, reason: 'bad_reply_to' }, `${from} -> ${room}#${replyTo}`);
      }
      assert.equal((await s.getRoom('r'))?.lastSeq, before?.lastSeq, 'no seq was spent on a refused reply');
      assert.equal(await s.getRoom('nowhere'), null, 'no room was created for it');
      assert.equal(await s.countMessages(), 4);
      // The recipient may reply to a DM; the operator may reply to any message of the room.
      assert.equal((await add(s, 'r', 'bob', 'dm answer', { replyTo: dm.seq, to: 'alice' })).reply_to, dm.seq);
      assert.equal((await add(s, 'r', 'operator', 'noted', { replyTo: dm.seq, seesAll: true })).reply_to, dm.seq);
      // A closed room refuses first, as for any post.
      await s.setRoomStatus('r', true, 'operator', T0);
      const closed = await s.append(input('r', 'bob', 'late', { replyTo: q.seq }));
      assert.equal(closed.ok === false && closed.reason, 'room_closed');
    }),
  );

  it(
    'refuses a reply to a message retention removed',
    withStore(async (s) => {
      const first = await add(s, 'p', 'alice', 'old', { maxPerRoom: 2 });
      await add(s, 'p', 'alice', 'b', { maxPerRoom: 2 });
      await add(s, 'p', 'alice', 'c', { maxPerRoom: 2 });
      const res = await s.append(input('p', 'bob', 'late', { replyTo: first.seq, maxPerRoom: 2 }));
      assert.deepEqual(res, { ok: false, reason: 'bad_reply_to' });
      assert.equal((await s.getRoom('p'))?.lastSeq, 3);
    }),
  );

  it(
    'a question addressed to a name is answered by that name only, once, and leaves the open questions',
    withStore(async (s) => {
      const q = await add(s, 'r', 'alice', 'bob, ship it?', { expectsReply: 'bob' });
      // Warm the embedded store's cache, so an answer must update what it holds too.
      await s.readSince('r', 'dave', 0, 10);
      const plain = await s.append(input('r', 'carol', 'not me', { replyTo: q.seq, at: T0 + 1000 }));
      assert.ok(plain.ok && plain.answered === null, 'a reply by someone else is a plain reply');
      const self = await s.append(input('r', 'alice', 'anyone?', { replyTo: q.seq, at: T0 + 1500 }));
      assert.ok(self.ok && self.answered === null, "the asker's follow-up is no answer");
      assert.equal((await reread(s, 'r', q.seq)).answered_by, null);
      assert.deepEqual(seqs(await s.openRoomQuestions()), [q.seq]);

      const ans = await s.append(input('r', 'bob', 'yes', { replyTo: q.seq, at: T0 + 2000 }));
      assert.ok(ans.ok && ans.answered?.answered_by === 'bob');
      const again = await s.append(input('r', 'bob', 'really yes', { replyTo: q.seq, at: T0 + 3000 }));
      assert.ok(again.ok && again.answered === null, 'only the first answer counts');
      const stored = await reread(s, 'r', q.seq);
      assert.deepEqual(
        { by: stored.answered_by, at: stored.answered_at, claimed: stored.claimed_by },
        { by: 'bob', at: T0 + 2000, claimed: null },
      );
      const seen = (await s.readSince('r', 'dave', 0, 10)).messages.find((m) => m.seq === q.seq);
      assert.equal(seen?.answered_by, 'bob', 'the long-poll read shows the answer');
      assert.equal((await s.history('r', 'dave', 10)).find((m) => m.seq === q.seq)?.answered_at, T0 + 2000);
      assert.deepEqual(await s.openRoomQuestions(), []);
      // A DM to someone other than the asker does not answer it.
      const q2 = await add(s, 'r', 'alice', 'bob?', { expectsReply: 'bob' });
      await add(s, 'r', 'bob', 'psst', { replyTo: q2.seq, to: 'carol' });
      assert.equal((await reread(s, 'r', q2.seq)).answered_by, null);
      await add(s, 'r', 'bob', 'to you', { replyTo: q2.seq, to: 'alice' });
      assert.equal((await reread(s, 'r', q2.seq)).answered_by, 'bob');
    }),
  );

  it(
    'an unclaimed anyone is answered and claimed by the first replier; claimed, only the claimant answers',
    withStore(async (s) => {
      for (const n of ['alice', 'bob', 'carol']) await add(s, 'r', n, `hi from ${n}`);
      const q1 = await add(s, 'r', 'alice', 'who can?', { expectsReply: 'anyone' });
      await s.readSince('r', 'dave', 0, 10);
      await add(s, 'r', 'carol', 'me', { replyTo: q1.seq, at: T0 + 5000 });
      const a1 = await reread(s, 'r', q1.seq);
      assert.deepEqual([a1.answered_by, a1.claimed_by, a1.answered_at], ['carol', 'carol', T0 + 5000]);
      assert.deepEqual(await s.claim('r', q1.seq, 'bob'), {
        found: true,
        won: false,
        claimedBy: 'carol',
        answeredBy: 'carol',
        leaseExpiresAt: null,
      });

      const q2 = await add(s, 'r', 'alice', 'who else?', { expectsReply: 'anyone' });
      assert.deepEqual(await s.claim('r', q2.seq, 'bob'), {
        found: true,
        won: true,
        claimedBy: 'bob',
        answeredBy: null,
        leaseExpiresAt: null,
      });
      await add(s, 'r', 'carol', 'I know!', { replyTo: q2.seq });
      assert.equal((await reread(s, 'r', q2.seq)).answered_by, null, 'claimed by someone else: a plain reply');
      await add(s, 'r', 'bob', 'done', { replyTo: q2.seq });
      const a2 = await reread(s, 'r', q2.seq);
      assert.deepEqual([a2.answered_by, a2.claimed_by], ['bob', 'bob']);
    }),
  );

  it(
    'an anyone narrowed to the only other member is answered by that member',
    withStore(async (s) => {
      await add(s, 'duo', 'bob', 'here');
      const q = await add(s, 'duo', 'alice', 'you there?', { expectsReply: 'anyone' });
      await add(s, 'duo', 'bob', 'yes', { replyTo: q.seq });
      const a = await reread(s, 'duo', q.seq);
      assert.deepEqual([a.answered_by, a.claimed_by], ['bob', 'bob']);
    }),
  );

  it(
    'racing answers and claims of one anyone question leave exactly one holder',
    withStore(async (s) => {
      const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
      const outcomes = await Promise.all([
        ...['b', 'c', 'd'].map((n) => s.append(input('r', n, `mine (${n})`, { replyTo: q.seq }))),
        ...['e', 'f'].map((n) => s.claim('r', q.seq, n)),
      ]);
      const stored = await reread(s, 'r', q.seq);
      const claimsWon = outcomes.filter((o) => 'won' in o && o.won).length;
      const answers = outcomes.filter((o) => 'ok' in o && o.ok && o.answered !== null).length;
      assert.ok(stored.claimed_by !== null);
      if (stored.answered_by !== null) {
        assert.equal(stored.claimed_by, stored.answered_by, 'the answer claimed it');
        assert.deepEqual([answers, claimsWon], [1, 0]);
      } else {
        assert.ok(['e', 'f'].includes(stored.claimed_by));
        assert.deepEqual([answers, claimsWon], [0, 1]);
      }
    }),
  );

  it(
    'an answered question cannot be claimed: the loser learns who answered',
    withStore(async (s) => {
      const q = await add(s, 'r', 'alice', 'bob?', { expectsReply: 'bob' });
      await add(s, 'r', 'bob', 'sure', { replyTo: q.seq });
      for (const who of ['carol', 'bob']) {
        assert.deepEqual(await s.claim('r', q.seq, who), {
          found: true,
          won: false,
          claimedBy: 'bob',
          answeredBy: 'bob',
          leaseExpiresAt: null,
        });
      }
      assert.equal((await reread(s, 'r', q.seq)).claimed_by, null, 'the stored claim stays as it was');
    }),
  );

  it(
    'reads a thread: root and replies transitively, oldest first, as the reader may see them',
    withStore(async (s) => {
      const root = await add(s, 'r', 'alice', 'plan?', { expectsReply: 'anyone' });
      const r2 = await add(s, 'r', 'bob', 'this', { replyTo: root.seq });
      await add(s, 'r', 'carol', 'unrelated');
      const r3 = await add(s, 'r', 'carol', 'and that', { replyTo: r2.seq });
      const dm = await add(s, 'r', 'alice', 'between us', { to: 'bob', replyTo: root.seq });
      const r5 = await add(s, 'r', 'bob', 'public, under the DM', { replyTo: dm.seq });
      await add(s, 'other', 'alice', 'elsewhere');

      const bobs = await s.thread('r', 'bob', root.seq, 500);
      assert.deepEqual(bobs && { root: bobs.root.seq, seqs: seqs(bobs.messages), truncated: bobs.truncated }, {
        root: root.seq,
        seqs: [root.seq, r2.seq, r3.seq, dm.seq, r5.seq],
        truncated: false,
      });
      const carols = await s.thread('r', 'carol', root.seq, 500);
      assert.deepEqual(carols && seqs(carols.messages), [root.seq, r2.seq, r3.seq], 'hidden DMs cut their branch');
      const fromReply = await s.thread('r', 'carol', r3.seq, 500);
      assert.equal(fromReply?.root.seq, root.seq, 'a reply gives the thread of its root');
      assert.deepEqual(fromReply && seqs(fromReply.messages), [root.seq, r2.seq, r3.seq]);
      const under = await s.thread('r', 'carol', r5.seq, 500);
      assert.deepEqual(under && [under.root.seq, ...seqs(under.messages)], [r5.seq, r5.seq]);
      assert.equal(await s.thread('r', 'carol', dm.seq, 500), null, 'a DM between others is not there');
      assert.equal(await s.thread('r', 'carol', 999, 500), null);
      assert.equal(await s.thread('other', 'carol', r2.seq, 500), null);
      const cut = await s.thread('r', 'bob', r3.seq, 2);
      assert.deepEqual(cut && { seqs: seqs(cut.messages), truncated: cut.truncated }, {
        seqs: [root.seq, r2.seq],
        truncated: true,
      });
      const lone = await s.thread('r', 'dave', 3, 500);
      assert.deepEqual(lone && seqs(lone.messages), [3], 'a message nobody replied to is a thread of one');
    }),
  );

  it(
    'keeps threads, answers and the reply index across a reopen',
    withStore(async (s, reopen) => {
      const q = await add(s, 'r', 'alice', 'q', { expectsReply: 'bob' });
      const a = await add(s, 'r', 'bob', 'a', { replyTo: q.seq });
      const s2 = await reopen();
      const t = await s2.thread('r', 'carol', a.seq, 10);
      assert.deepEqual(t && [t.root.answered_by, t.root.answered_at, ...t.messages.map((m) => m.reply_to)], [
        'bob',
        T0,
        null,
        q.seq,
      ]);
      assert.deepEqual(await s2.openRoomQuestions(), []);
    }),
  );
}
