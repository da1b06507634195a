import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_CURSOR } from '../../src/domain/handout.js';
import type { Store, StoreOptions } from '../../src/store/store.js';
import { leasesContract } from './contract-leases.js';
import { add, input as msg, T0 } from './contract-support.js';
import { threadsContract } from './contract-threads.js';

/** Builds a fresh, empty store for one test; `reopen` gives a new handle on the same data. */
export interface StoreFactory {
  open(opts?: StoreOptions): Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>;
}

/** The Store contract (see src/store/store.ts), run against one backend. */
export function storeContract(name: string, factory: StoreFactory, opts: { skip?: string | false } = {}): void {
  describe(`Store contract: ${name}`, { skip: opts.skip || false }, () => {
    const withStore =
      (fn: (s: Store, reopen: () => Promise<Store>) => Promise<void>, opts?: StoreOptions) => async () => {
        const { store, reopen, cleanup } = await factory.open(opts);
        try {
          await fn(store, reopen);
        } finally {
          await cleanup();
        }
      };

    it(
      'numbers messages per room from 1 and never reuses a seq, even after retention',
      withStore(async (s) => {
        const a1 = await add(s, 'A', 'x', '1');
        const a2 = await add(s, 'A', 'x', '2');
        const b1 = await add(s, 'B', 'x', '1');
        assert.deepEqual([a1.seq, a2.seq, b1.seq], [1, 2, 1]);
        for (let i = 3; i <= 6; i++) await add(s, 'A', 'x', String(i), { maxPerRoom: 2 });
        const hist = await s.history('A', 'y', 100);
        assert.deepEqual(
          hist.map((m) => m.text),
          ['5', '6'],
        );
        assert.deepEqual(
          hist.map((m) => m.seq),
          [5, 6],
        );
        const room = await s.getRoom('A');
        assert.equal(room?.lastSeq, 6);
        assert.equal(room?.messageCount, 2);
        assert.equal((await add(s, 'A', 'x', '7', { maxPerRoom: 2 })).seq, 7);
        assert.equal(await s.countMessages(), 3);
      }),
    );

    it(
      'counts the rooms that hold messages, not the ones only created, invited to or closed; lists them all',
      withStore(async (s, reopen) => {
        assert.equal(await s.countRoomsWithMessages(), 0);
        await s.ensureRoom('empty', T0);
        await s.setRoomStatus('closed-empty', true, 'titus', T0);
        await s.createCode(
          {
            hash: 'h',
            plain: null,
            display: 'x',
            name: 'bob',
            room: 'invited',
            capabilities: '',
            createdAt: T0,
            expiresAt: null,
          },
          0,
        );
        await s.ensureRoom('invited', T0);
        assert.equal(await s.countRoomsWithMessages(), 0);
        await add(s, 'A', 'x', '1');
        await add(s, 'A', 'x', '2');
        for (let i = 0; i < 3; i++) await add(s, 'kept', 'x', String(i), { maxPerRoom: 1 });
        assert.equal(await s.countRoomsWithMessages(), 2);
        const s2 = await reopen();
        assert.equal(await s2.countRoomsWithMessages(), 2);
        assert.deepEqual((await s2.listRooms()).map((r) => r.name).sort(), [
          'A',
          'closed-empty',
          'empty',
          'invited',
          'kept',
        ]);
      }),
    );

    it(
      'keeps retention per room',
      withStore(async (s) => {
        for (let i = 0; i < 3; i++) await add(s, 'A', 's', `a${i}`, { maxPerRoom: 2 });
        await add(s, 'B', 's', 'b0', { maxPerRoom: 2 });
        assert.deepEqual(
          (await s.history('A', 'r', 100)).map((m) => m.text),
          ['a1', 'a2'],
        );
        assert.deepEqual(
          (await s.history('B', 'r', 100)).map((m) => m.text),
          ['b0'],
        );
      }),
    );

    it(
      'reads since a seq with visibility: no own messages, no DMs to others, no other rooms',
      withStore(async (s) => {
        await add(s, 'r', 'alice', 'broadcast');
        await add(s, 'r', 'alice', 'for bob', { to: 'bob' });
        await add(s, 'r', 'bob', 'for alice', { to: 'alice' });
        await add(s, 'other', 'alice', 'other room');
        const bob = await s.readSince('r', 'bob', 0, 100);
        assert.deepEqual(
          bob.messages.map((m) => m.text),
          ['broadcast', 'for bob'],
        );
        assert.equal(bob.lastSeq, 3);
        const alice = await s.readSince('r', 'alice', 0, 100);
        assert.deepEqual(
          alice.messages.map((m) => m.text),
          ['for alice'],
        );
        assert.deepEqual(
          (await s.readSince('r', 'carol', 0, 100)).messages.map((m) => m.text),
          ['broadcast'],
        );
        assert.deepEqual(
          (await s.readSince('r', 'bob', 1, 100)).messages.map((m) => m.text),
          ['for bob'],
        );
        const page = await s.readSince('r', 'bob', 0, 1);
        assert.equal(page.truncated, true);
        assert.equal(page.messages.length, 1);
        const none = await s.readSince('nowhere', 'bob', 0, 100);
        assert.deepEqual(none, { messages: [], lastSeq: 0, room: null, truncated: false });
      }),
    );

    it(
      'history shows own messages and DMs to or from the reader, newest last',
      withStore(async (s) => {
        await add(s, 'r', 'alice', 'hello');
        await add(s, 'r', 'alice', 'psst bob', { to: 'bob' });
        await add(s, 'r', 'carol', 'psst alice', { to: 'alice' });
        assert.deepEqual(
          (await s.history('r', 'alice', 10)).map((m) => m.text),
          ['hello', 'psst bob', 'psst alice'],
        );
        assert.deepEqual(
          (await s.history('r', 'carol', 10)).map((m) => m.text),
          ['hello', 'psst alice'],
        );
        assert.deepEqual(
          (await s.history('r', 'dave', 10)).map((m) => m.text),
          ['hello'],
        );
        assert.deepEqual(
          (await s.history('r', 'alice', 2)).map((m) => m.text),
          ['psst bob', 'psst alice'],
        );
        assert.deepEqual(
          (await s.recent(10)).map((m) => m.text),
          ['hello', 'psst bob', 'psst alice'],
        );
      }),
    );

    it(
      'claims first-writer-wins, and not through rooms or into invisible DMs',
      withStore(async (s) => {
        const q = await add(s, 'r', 'alice', 'who?', { expectsReply: 'anyone' });
        const dm = await add(s, 'r', 'alice', 'secret', { to: 'bob' });
        const results = await Promise.all(['b', 'c', 'd', 'e'].map((n) => s.claim('r', q.seq, n)));
        const winners = results.filter((r) => r.found && r.won);
        assert.equal(winners.length, 1);
        const winner = winners[0].found ? winners[0].claimedBy : '';
        for (const r of results) assert.deepEqual(r.found && r.claimedBy, winner);
        assert.deepEqual(await s.claim('other', q.seq, 'x'), { found: false });
        assert.deepEqual(await s.claim('r', 999, 'x'), { found: false });
        assert.deepEqual(await s.claim('r', dm.seq, 'carol'), { found: false });
        assert.deepEqual(await s.claim('r', dm.seq, 'bob'), {
          found: true,
          won: true,
          claimedBy: 'bob',
          answeredBy: null,
          leaseExpiresAt: null,
        });
      }),
    );

    it(
      'refuses posts into a closed room unless the operator posts, and refuses new rooms over the quota',
      withStore(async (s) => {
        await s.setRoomStatus('r', true, 'titus', T0);
        const refused = await s.append(msg('r', 'a', 'late'));
        assert.equal(refused.ok, false);
        assert.equal(!refused.ok && refused.reason, 'room_closed');
        assert.equal((await s.append(msg('r', 'operator', 'bye', { requireOpen: false }))).ok, true);
        await add(s, 'one', 'a', 'x', { maxRooms: 2 });
        const quota = await s.append(msg('three', 'a', 'x', { maxRooms: 2 }));
        assert.equal(!quota.ok && quota.reason, 'room_quota');
        assert.equal((await s.append(msg('one', 'a', 'again', { maxRooms: 2 }))).ok, true, 'existing rooms go on');
        assert.equal(await s.getRoom('three'), null, 'a refused post leaves nothing behind');
      }),
    );

    it(
      'closes and reopens rooms durably',
      withStore(async (s, reopen) => {
        const closed = await s.setRoomStatus('r', true, 'titus', T0 + 5000);
        assert.equal(closed.closed, true);
        assert.equal(closed.closedBy, 'titus');
        assert.equal(closed.closedAt, T0 + 5000);
        const again = await s.setRoomStatus('r', true, 'someone-else', T0 + 9000);
        assert.equal(again.closedBy, 'titus', 'closing a closed room keeps who closed it');
        const s2 = await reopen();
        assert.equal((await s2.getRoom('r'))?.closed, true);
        const open = await s2.setRoomStatus('r', false, 'titus', T0);
        assert.deepEqual([open.closed, open.closedAt, open.closedBy], [false, null, null]);
      }),
    );

    it(
      'stores codes by hash, lists them, revokes by name or hash, and drops plaintext on request',
      withStore(async (s, reopen) => {
        const base = { display: 'x', room: 'r', capabilities: '', createdAt: T0, expiresAt: null };
        await s.createCode({ ...base, hash: 'h1', plain: 'p1', display: 'p1', name: 'alice' }, 0);
        await s.createCode({ ...base, hash: 'h2', plain: 'p2', display: 'p2', name: 'bob' }, 0);
        await s.createCode({ ...base, hash: 'h3', plain: null, name: 'bob', room: 'q' }, 0);
        assert.equal(await s.createCode({ ...base, hash: 'h4', plain: null, name: 'x' }, 3), null, 'quota');
        assert.equal(await s.countCodes(), 3);
        assert.equal((await s.findCodeByHash('h1'))?.name, 'alice');
        assert.equal(await s.findCodeByHash('nope'), null);
        assert.deepEqual((await s.revokeCodes('bob', 'zzz')).map((c) => c.hash).sort(), ['h2', 'h3']);
        assert.deepEqual(
          (await s.revokeCodes('p1', 'h1')).map((c) => c.name),
          ['alice'],
        );
        assert.deepEqual(await s.revokeCodes('nobody', 'none'), []);
        assert.equal(await s.hasLiveCode('r', 'alice', T0), false, 'revoked');
        await s.createCode({ ...base, hash: 'e1', plain: null, name: 'late', room: 'r', expiresAt: T0 + 10 }, 0);
        assert.equal(await s.hasLiveCode('r', 'late', T0), true);
        assert.equal(await s.hasLiveCode('r', 'late', T0 + 10), false, 'expired');
        assert.equal(await s.hasLiveCode('q', 'late', T0), false, 'another room');
        await s.createCode({ ...base, hash: 'r1', plain: null, name: 'roamer', room: 'r' }, 0);
        await s.createCode({ ...base, hash: 'r2', plain: null, name: 'roamer', room: 'elsewhere' }, 0);
        assert.deepEqual(
          (await s.revokeCodes('roamer', 'zzz', 'elsewhere')).map((c) => c.hash),
          ['r2'],
          'a room narrows a revocation by name',
        );
        assert.equal((await s.findCodeByHash('r1'))?.room, 'r');
        assert.deepEqual(
          (await s.revokeCodes('x', 'r1', 'elsewhere')).map((c) => c.hash),
          ['r1'],
          'a code is revoked whatever the room',
        );
        await s.createCode(
          { ...base, hash: 'h5', plain: 'plain-secret-code', display: 'plain-secret-code', name: 'eve' },
          0,
        );
        assert.equal(await s.dropPlaintextCodes((p) => `${p.slice(0, 3)}…`), 1);
        const s2 = await reopen();
        const [eve] = await s2.listCodes();
        assert.deepEqual([eve.plain, eve.display], [null, 'pla…']);
      }),
    );

    it(
      'knows members (unexpired code holders and senders) and senders with their last seq',
      withStore(async (s) => {
        const base = { plain: null, display: 'x', capabilities: '', createdAt: T0 };
        await s.createCode({ ...base, hash: 'a', name: 'holder', room: 'r', expiresAt: null }, 0);
        await s.createCode({ ...base, hash: 'b', name: 'expired', room: 'r', expiresAt: T0 - 1 }, 0);
        await s.createCode({ ...base, hash: 'c', name: 'elsewhere', room: 'q', expiresAt: null }, 0);
        await add(s, 'r', 'poster', 'one');
        await add(s, 'r', 'poster', 'two');
        await add(s, 'r', 'other', 'three');
        assert.deepEqual([...(await s.members('r', T0))].sort(), ['holder', 'other', 'poster']);
        const senders = await s.senders();
        assert.deepEqual(
          senders.map((x) => [x.room, x.name, x.lastSeq]),
          [
            ['r', 'other', 3],
            ['r', 'poster', 2],
          ],
        );
      }),
    );

    it(
      'remembers, per room and for good, the names the operator posted under',
      withStore(async (s, reopen) => {
        await add(s, 'r', 'titus', 'as the operator', { byOperator: true });
        await add(s, 'r', 'titus', 'later, without the flag');
        await add(s, 'r', 'alice', 'an agent');
        await add(s, 'q', 'titus', 'an agent of that name elsewhere');
        const flags = (rows: Awaited<ReturnType<Store['senders']>>) => rows.map((x) => [x.room, x.name, x.operator]);
        const expected = [
          ['q', 'titus', false],
          ['r', 'alice', false],
          ['r', 'titus', true],
        ];
        assert.deepEqual(flags(await s.senders()), expected);
        assert.deepEqual(flags(await (await reopen()).senders()), expected);
      }),
    );

    it(
      'never marks a name that holds a code of the room (live or expired) as an operator name',
      withStore(async (s) => {
        const base = { display: 'x', capabilities: '', createdAt: T0, plain: null };
        await s.createCode({ ...base, hash: 'al', name: 'al', room: 'r2', expiresAt: null }, 0);
        await s.createCode({ ...base, hash: 'old', name: 'old', room: 'r2', expiresAt: T0 - 1000 }, 0);
        await s.createCode({ ...base, hash: 'bo', name: 'bo', room: 'other', expiresAt: null }, 0);
        await add(s, 'r2', 'al', 'the operator, as al', { byOperator: true });
        await add(s, 'r2', 'old', 'the operator, as an expired agent', { byOperator: true });
        await add(s, 'r2', 'bo', 'the operator, as a name whose code is in another room', { byOperator: true });
        assert.deepEqual(
          (await s.senders()).map((x) => [x.room, x.name, x.operator]),
          [
            ['r2', 'al', false],
            ['r2', 'bo', true],
            ['r2', 'old', false],
          ],
        );
      }),
    );

    it(
      'lists open-room questions only',
      withStore(async (s) => {
        await add(s, 'build', 'claude', 'just saying');
        await add(s, 'build', 'claude', 'who takes this?', { expectsReply: 'anyone' });
        await add(s, 'ops', 'codex', 'approve?', { to: 'operator', expectsReply: 'operator' });
        await add(s, 'shut', 'codex', 'hello?', { expectsReply: 'anyone' });
        await s.setRoomStatus('shut', true, 'op', T0);
        assert.deepEqual(
          (await s.openRoomQuestions()).map((m) => [m.room, m.text]),
          [
            ['build', 'who takes this?'],
            ['ops', 'approve?'],
          ],
        );
      }),
    );

    it(
      'keeps an audit log, newest last, honouring the limit',
      withStore(async (s) => {
        for (let i = 0; i < 5; i++) await s.audit({ at: T0 + i, action: 'connect', actor: `a${i}` });
        await s.audit({ at: T0 + 9, action: 'invite', room: 'r', detail: 'alice' });
        const last = await s.recentAudit(2);
        assert.deepEqual(
          last.map((e) => e.action),
          ['connect', 'invite'],
        );
        assert.deepEqual(last[1], {
          at: T0 + 9,
          action: 'invite',
          actor: '',
          room: 'r',
          detail: 'alice',
          class: 'operator',
        });
      }),
    );

    it(
      'keeps the audit log per class: failed sign-ins never push out what the operator or agents did',
      withStore(
        async (s) => {
          await s.audit({ at: T0, action: 'invite', detail: 'alice' });
          await s.audit({ at: T0 + 1, action: 'connect', actor: 'alice' });
          for (let i = 0; i < 60; i++) await s.audit({ at: T0 + 10 + i, action: 'admin_auth_failed', detail: `x${i}` });
          const all = await s.recentAudit(1000);
          assert.ok(
            all.some((e) => e.action === 'invite' && e.class === 'operator'),
            'the operator event stays',
          );
          assert.ok(
            all.some((e) => e.action === 'connect' && e.class === 'agent'),
            'the agent event stays',
          );
          const auth = await s.recentAudit(1000, 'auth');
          assert.ok(auth.length >= 10 && auth.length <= 11, `${auth.length} auth events kept`);
          assert.equal(auth.at(-1)?.detail, 'x59', 'the newest are kept');
          assert.deepEqual(
            (await s.recentAudit(10, 'operator')).map((e) => e.action),
            ['invite'],
          );
        },
        { auditKeep: 10 },
      ),
    );

    it(
      'keeps messages, codes, rooms and the seq counter across a reopen',
      withStore(async (s, reopen) => {
        await add(s, 'r', 'alice', 'durable 🤖 <b>');
        await s.createCode(
          {
            hash: 'h',
            plain: 'p',
            display: 'p',
            name: 'alice',
            room: 'r',
            capabilities: 'c',
            createdAt: T0,
            expiresAt: null,
          },
          0,
        );
        const s2 = await reopen();
        assert.deepEqual(
          (await s2.history('r', 'x', 10)).map((m) => m.text),
          ['durable 🤖 <b>'],
        );
        assert.equal((await s2.findCodeByHash('h'))?.capabilities, 'c');
        assert.equal((await add(s2, 'r', 'alice', 'next')).seq, 2);
      }),
    );

    it(
      'creates a room once and lists rooms, most recently active first',
      withStore(async (s) => {
        assert.equal(await s.getRoom('quiet'), null);
        assert.equal(await s.ensureRoom('quiet', T0), true);
        assert.equal(await s.ensureRoom('quiet', T0 + 5), false, 'a second ensure creates nothing');
        assert.deepEqual(await s.getRoom('quiet'), {
          name: 'quiet',
          closed: false,
          closedAt: null,
          closedBy: null,
          createdAt: T0,
          lastSeq: 0,
          lastAt: null,
          messageCount: 0,
        });
        await add(s, 'busy', 'alice', 'hello', { at: T0 + 10 });
        await add(s, 'busy', 'alice', 'again', { at: T0 + 20 });
        assert.deepEqual(
          (await s.listRooms()).map((r) => [r.name, r.lastSeq, r.messageCount]),
          [
            ['busy', 2, 2],
            ['quiet', 0, 0],
          ],
        );
      }),
    );

    it(
      "keeps each agent's server-side cursor, per room and name, across a reopen",
      withStore(async (s, reopen) => {
        const at = async (st: Store, room: string, name: string) => (await st.readCursor(room, name)).committed;
        assert.deepEqual(await s.readCursor('r', 'alice'), NO_CURSOR, 'no cursor yet');
        await s.setCursor('r', 'alice', 7);
        await s.setCursor('q', 'alice', 3);
        await s.setCursor('r', 'bob', 1);
        await s.setCursor('r', 'alice', 9);
        const s2 = await reopen();
        assert.deepEqual([await at(s2, 'r', 'alice'), await at(s2, 'q', 'alice'), await at(s2, 'r', 'bob')], [9, 3, 1]);
      }),
    );

    it(
      'moves a cursor only from the rev it was read at, so two waits never take the same handout',
      withStore(async (s, reopen) => {
        const first = { committed: 0, pendingTo: 4, pendingReq: 'n:1', pendingCancelled: false };
        assert.equal(await s.moveCursor('r', 'alice', 0, first), true, 'the first cursor is created');
        assert.equal(await s.moveCursor('r', 'alice', 0, { ...first, pendingReq: 'n:2' }), false, 'created only once');
        const c = await s.readCursor('r', 'alice');
        assert.deepEqual(c, { ...first, rev: c.rev });
        const next = { committed: 4, pendingTo: 6, pendingReq: 'n:3', pendingCancelled: false };
        const [a, b] = await Promise.all([
          s.moveCursor('r', 'alice', c.rev, next),
          s.moveCursor('r', 'alice', c.rev, { ...next, pendingReq: 'n:4' }),
        ]);
        assert.deepEqual([a, b].sort(), [false, true], 'exactly one of two racing moves wins');
        const won = await s.readCursor('r', 'alice');
        assert.ok(won.rev !== c.rev);
        assert.equal(await s.moveCursor('r', 'alice', c.rev, next), false, 'a stale rev is refused');
        assert.equal(await s.moveCursor('q', 'alice', 5, next), false, 'no cursor: nothing to move');
        assert.deepEqual(await s.readCursor('q', 'alice'), NO_CURSOR);
        const s2 = await reopen();
        assert.deepEqual(await s2.readCursor('r', 'alice'), won, 'the handout is durable');
      }),
    );

    it(
      'cancels only the pending handout of the request named, once; setCursor clears it',
      withStore(async (s) => {
        await s.moveCursor('r', 'alice', 0, { committed: 2, pendingTo: 5, pendingReq: 's:7', pendingCancelled: false });
        assert.equal(await s.cancelHandout('r', 'alice', 'n:7'), false, 'another request id (7, not "7")');
        assert.equal(await s.cancelHandout('r', 'bob', 's:7'), false, 'another agent');
        const before = await s.readCursor('r', 'alice');
        assert.equal(await s.cancelHandout('r', 'alice', 's:7'), true);
        const after = await s.readCursor('r', 'alice');
        assert.equal(after.pendingCancelled, true);
        assert.ok(after.rev !== before.rev, 'a cancel changes the rev, so a racing handout re-reads');
        assert.equal(await s.cancelHandout('r', 'alice', 's:7'), false, 'already cancelled');
        await s.setCursor('r', 'alice', 0);
        const reset = await s.readCursor('r', 'alice');
        assert.deepEqual({ ...reset, rev: 0 }, NO_CURSOR);
      }),
    );

    it(
      'registers, replaces and removes webhooks per agent, listed by room',
      withStore(async (s, reopen) => {
        const hook = {
          room: 'r',
          name: 'alice',
          url: 'https://a.example/1',
          secret: 's1',
          includeText: false,
          codeHash: 'ha',
        };
        await s.putWebhook({ ...hook, createdAt: T0 });
        await s.putWebhook({
          ...hook,
          name: 'bob',
          url: 'https://b.example/',
          secret: 's2',
          codeHash: 'hb',
          createdAt: T0,
        });
        await s.putWebhook({ ...hook, room: 'q', createdAt: T0 });
        await s.putWebhook({ ...hook, url: 'https://a.example/2', includeText: true, createdAt: T0 + 1 });
        s = await reopen();
        const inR = (await s.webhooksIn('r')).sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(inR, [
          {
            room: 'r',
            name: 'alice',
            url: 'https://a.example/2',
            secret: 's1',
            includeText: true,
            createdAt: T0 + 1,
            codeHash: 'ha',
          },
          {
            room: 'r',
            name: 'bob',
            url: 'https://b.example/',
            secret: 's2',
            includeText: false,
            createdAt: T0,
            codeHash: 'hb',
          },
        ]);
        assert.equal(await s.deleteWebhook('r', 'alice'), true);
        assert.equal(await s.deleteWebhook('r', 'alice'), false, 'nothing left to remove');
        assert.deepEqual(
          (await s.webhooksIn('r')).map((h) => h.name),
          ['bob'],
        );
        assert.equal((await s.webhooksIn('q')).length, 1, 'the same name in another room is its own');
        assert.deepEqual(
          (await s.listWebhooks()).map((h) => [h.room, h.name]),
          [
            ['q', 'alice'],
            ['r', 'bob'],
          ],
        );
      }),
    );

    it(
      'keeps settings: initSetting sets only once, setSetting replaces',
      withStore(async (s, reopen) => {
        assert.equal(await s.getSetting('k'), null);
        assert.equal(await s.initSetting('k', 'first'), 'first');
        assert.equal(await s.initSetting('k', 'second'), 'first', 'the first value stays');
        await s.setSetting('k', 'third');
        const s2 = await reopen();
        assert.equal(await s2.getSetting('k'), 'third');
        assert.equal(await s2.ping(), true);
      }),
    );

    it(
      'stores any text exactly: NUL, newlines, emoji, markup',
      withStore(async (s) => {
        const text = 'a\u0000b\r\n\t🤖 <script>alert(1)</script> é';
        await add(s, 'r', 'x', text);
        assert.equal((await s.history('r', 'x', 1))[0].text, text);
      }),
    );

    threadsContract(withStore);
    leasesContract(withStore);
  });
}
