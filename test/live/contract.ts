import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Live } from '../../src/live/live.js';

/**
 * Opens a fresh Live with a rate limit of 3 posts per 60 s and 3 failed sign-ins a
 * minute per address; `second` is another node on the same state.
 */
export interface LiveFactory {
  open(): Promise<{ live: Live; second: () => Promise<Live>; cleanup: () => Promise<void> }>;
}

/** The Live contract (see src/live/live.ts), run against one backend. */
export function liveContract(name: string, factory: LiveFactory, opts: { skip?: string | false } = {}): void {
  describe(`Live contract: ${name}`, { skip: opts.skip || false }, () => {
    const withLive = (fn: (l: Live, second: () => Promise<Live>) => Promise<void>) => async () => {
      const { live, second, cleanup } = await factory.open();
      try {
        await fn(live, second);
      } finally {
        await cleanup();
      }
    };

    it(
      'reports first sight once per room and name, and lists presence',
      withLive(async (l) => {
        assert.equal(await l.presence.touch('r', 'alice', 1000), true);
        assert.equal(await l.presence.touch('r', 'alice', 2000), false);
        assert.equal(await l.presence.touch('q', 'alice', 3000), true);
        assert.deepEqual(await l.presence.list('r'), [{ room: 'r', name: 'alice', lastSeen: 2000 }]);
        assert.equal((await l.presence.list()).length, 2);
      }),
    );

    it(
      'limits posts per key, refuses with a retry time, and refunds',
      withLive(async (l) => {
        for (let i = 0; i < 3; i++) assert.deepEqual(await l.limiter.consume('r', 'k'), { ok: true });
        const refused = await l.limiter.consume('r', 'k');
        assert.equal(refused.ok, false);
        assert.ok(!refused.ok && refused.retryAfterMs > 50_000 && refused.retryAfterMs <= 60_000);
        assert.deepEqual(await l.limiter.consume('r', 'other'), { ok: true });
        assert.deepEqual(await l.limiter.consume('q', 'k'), { ok: true }, 'the same name in another room is its own');
        await l.limiter.refund('r', 'k');
        assert.deepEqual(await l.limiter.consume('r', 'k'), { ok: true });
        assert.equal((await l.limiter.consume('r', 'k')).ok, false);
      }),
    );

    it(
      'holds an address back after too many failed sign-ins, on every node, with the time left',
      withLive(async (l, second) => {
        const other = await second();
        for (let i = 0; i < 3; i++) assert.deepEqual(await l.limiter.authFailure('10.0.0.1'), { ok: true });
        const held = await other.limiter.authFailure('10.0.0.1');
        assert.ok(!held.ok && held.retryAfterMs > 59_000 && held.retryAfterMs <= 60_000, JSON.stringify(held));
        const still = await l.limiter.authFailure('10.0.0.1');
        assert.ok(!still.ok && still.retryAfterMs <= 60_000, 'a failure during the hold is refused too');
        assert.deepEqual(await l.limiter.authFailure('10.0.0.2'), { ok: true }, 'other addresses are not affected');
      }),
    );

    it(
      'gives a ticket back once, on any node, and never after it expires',
      withLive(async (l, second) => {
        const other = await second();
        await l.tickets.issue('t1', 'hash-of-code', 5000);
        assert.equal(await other.tickets.redeem('t1'), 'hash-of-code');
        assert.equal(await l.tickets.redeem('t1'), null, 'single use');
        assert.equal(await l.tickets.redeem('nope'), null);
        await l.tickets.issue('t2', 'x', 50);
        await new Promise((r) => setTimeout(r, 120));
        assert.equal(await l.tickets.redeem('t2'), null, 'expired');
      }),
    );

    it(
      'remembers a cancelled request, on any node, until it expires',
      withLive(async (l, second) => {
        const other = await second();
        await l.cancels.add('r\u0000alice', 'n:7', 1234, 5000);
        assert.equal(await other.cancels.when('r\u0000alice', 'n:7'), 1234);
        assert.equal(await other.cancels.when('r\u0000alice', 's:7'), null, 'another request id');
        assert.equal(await other.cancels.when('r\u0000bob', 'n:7'), null, 'another agent');
        await l.cancels.add('r\u0000alice', 'n:8', 1, 50);
        await new Promise((r) => setTimeout(r, 120));
        assert.equal(await l.cancels.when('r\u0000alice', 'n:8'), null, 'expired');
      }),
    );

    it(
      'keeps a dry stretch until it ends',
      withLive(async (l) => {
        assert.equal(await l.presence.dryStart('r', 'a', 100), 100);
        assert.equal(await l.presence.dryStart('r', 'a', 500), 100);
        await l.presence.dryEnd('r', 'a');
        assert.equal(await l.presence.dryStart('r', 'a', 900), 900);
      }),
    );

    it(
      'wakes the waiters an event concerns, latching early ones, and moves the version',
      withLive(async (l) => {
        const v0 = await l.wakeups.version();
        const bob = l.wakeups.register('r', 'bob');
        const carol = l.wakeups.register('r', 'carol');
        const everywhere = l.wakeups.register('*', null);
        await l.wakeups.publish({ kind: 'message', room: 'r', seq: 1, from: 'alice', to: 'bob' });
        assert.equal(await bob.wait(3000), 'event');
        assert.equal(await everywhere.wait(3000), 'event');
        assert.equal(await carol.wait(200), 'timeout', 'a DM to bob does not wake carol');
        assert.notEqual(await l.wakeups.version(), v0);
        await l.wakeups.publish({ kind: 'room', room: 'r' });
        assert.equal(await carol.wait(3000), 'event');
        for (const w of [bob, carol, everywhere]) w.cancel();
        assert.equal(l.wakeups.parkedCount(), 0);
      }),
    );

    it(
      'delivers events published on one node to waiters on another',
      withLive(async (l, second) => {
        const other = await second();
        const w = other.wakeups.register('r', 'bob');
        const t0 = Date.now();
        await new Promise((r) => setTimeout(r, 50));
        await l.wakeups.publish({ kind: 'message', room: 'r', seq: 1, from: 'alice', to: 'all' });
        assert.equal(await w.wait(3000), 'event');
        assert.ok(Date.now() - t0 < 1500);
        w.cancel();
        assert.equal(await other.presence.touch('r', 'zed', 5), true);
        assert.ok(
          (await l.presence.list('r')).some((p) => p.name === 'zed'),
          'presence is shared',
        );
      }),
    );

    it(
      'releases waiters on shutdown',
      withLive(async (l) => {
        const w = l.wakeups.register('r', 'a');
        const p = w.wait(5000);
        l.wakeups.shutdown();
        assert.equal(await p, 'shutdown');
        assert.equal(await l.ping(), true);
      }),
    );
  });
}
