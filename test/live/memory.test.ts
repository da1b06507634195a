import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memoryLive } from '../../src/live/memory.js';
import { concerns } from '../../src/live/wakeups.js';
import { sleep } from '../helpers.js';
import { liveContract } from './contract.js';

liveContract('memory', {
  async open() {
    const l = memoryLive({ rateMax: 3, rateWindowSeconds: 60, authFailuresPerMinute: 3 });
    // One process: the second node is the same state.
    return { live: l, second: async () => l, cleanup: async () => l.close() };
  },
});

const live = (rateMax = 3, rateWindowSeconds = 60) =>
  memoryLive({ rateMax, rateWindowSeconds, authFailuresPerMinute: 0 });

describe('concerns', () => {
  const msg = (from: string, to: string) => ({ kind: 'message' as const, room: 'r', seq: 1, from, to });
  it('wakes everyone but the sender on a broadcast, only the recipient on a DM', () => {
    assert.equal(concerns(msg('a', 'all'), 'b'), true);
    assert.equal(concerns(msg('a', 'all'), 'a'), false);
    assert.equal(concerns(msg('a', 'b'), 'b'), true);
    assert.equal(concerns(msg('a', 'b'), 'c'), false);
    assert.equal(concerns(msg('a', 'b'), null), true);
    assert.equal(concerns({ kind: 'room', room: 'r' }, 'c'), true);
  });
});

describe('MemoryLive', () => {
  it('reports first sight once per room and name', async () => {
    const l = live();
    assert.equal(await l.presence.touch('r', 'alice', 1), true);
    assert.equal(await l.presence.touch('r', 'alice', 2), false);
    assert.equal(await l.presence.touch('q', 'alice', 3), true);
    assert.deepEqual(await l.presence.list('r'), [{ room: 'r', name: 'alice', lastSeen: 2 }]);
    assert.equal((await l.presence.list()).length, 2);
  });

  it('allows rateMax posts, then refuses with a retry time, per key; refunds give a slot back', async () => {
    const l = live(3, 60);
    for (let i = 0; i < 3; i++) assert.deepEqual(await l.limiter.consume('r', 'k'), { ok: true });
    const refused = await l.limiter.consume('r', 'k');
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.retryAfterMs > 59_000 && refused.retryAfterMs <= 60_000);
    assert.deepEqual(await l.limiter.consume('r', 'other'), { ok: true });
    await l.limiter.refund('r', 'k');
    assert.deepEqual(await l.limiter.consume('r', 'k'), { ok: true }, 'a refunded slot can be used again');
    assert.equal((await l.limiter.consume('r', 'k')).ok, false, 'refusals themselves do not count');
  });

  it('has no limit when rateMax is 0', async () => {
    const l = live(0);
    for (let i = 0; i < 100; i++) assert.deepEqual(await l.limiter.consume('r', 'k'), { ok: true });
  });

  it('keeps a dry stretch until it ends', async () => {
    const l = live();
    assert.equal(await l.presence.dryStart('r', 'a', 100), 100);
    assert.equal(await l.presence.dryStart('r', 'a', 500), 100);
    await l.presence.dryEnd('r', 'a');
    assert.equal(await l.presence.dryStart('r', 'a', 900), 900);
  });

  it('wakes a waiter on an event that concerns it, and latches one that came early', async () => {
    const l = live();
    const w = l.wakeups.register('r', 'bob');
    assert.equal(l.wakeups.parkedCount(), 1);
    await l.wakeups.publish({ kind: 'message', room: 'r', seq: 1, from: 'alice', to: 'all' });
    assert.equal(await w.wait(5_000), 'event', 'the event before wait() was latched');
    const started = Date.now();
    setTimeout(() => l.wakeups.publish({ kind: 'message', room: 'r', seq: 2, from: 'alice', to: 'bob' }), 20);
    assert.equal(await w.wait(5_000), 'event');
    assert.ok(Date.now() - started < 1000);
    w.cancel();
    assert.equal(l.wakeups.parkedCount(), 0);
  });

  it('ignores events for others and times out', async () => {
    const l = live();
    const w = l.wakeups.register('r', 'bob');
    await l.wakeups.publish({ kind: 'message', room: 'r', seq: 1, from: 'alice', to: 'carol' });
    await l.wakeups.publish({ kind: 'message', room: 'q', seq: 1, from: 'alice', to: 'all' });
    await l.wakeups.publish({ kind: 'message', room: 'r', seq: 2, from: 'bob', to: 'all' });
    assert.equal(await w.wait(50), 'timeout');
    w.cancel();
  });

  it('wakes every waiter of the room on a room event', async () => {
    const l = live();
    const ws = ['a', 'b', 'c'].map((n) => l.wakeups.register('r', n));
    const outcomes = Promise.all(ws.map((w) => w.wait(5_000)));
    await l.wakeups.publish({ kind: 'room', room: 'r' });
    assert.deepEqual(await outcomes, ['event', 'event', 'event']);
  });

  it('releases a waiter on abort and on shutdown', async () => {
    const l = live();
    const ac = new AbortController();
    const w = l.wakeups.register('r', 'a');
    const p = w.wait(5_000, ac.signal);
    ac.abort();
    assert.equal(await p, 'aborted');
    const w2 = l.wakeups.register('r', 'b');
    const p2 = w2.wait(5_000);
    await sleep(5);
    l.wakeups.shutdown();
    assert.equal(await p2, 'shutdown');
    assert.equal(await l.wakeups.register('r', 'c').wait(5_000), 'shutdown', 'no new parking after shutdown');
  });
});

describe('holdSeconds', () => {
  it('holds a minute first, doubling with each hold in a day, up to an hour', async () => {
    const { holdSeconds } = await import('../../src/live/rate.js');
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map(holdSeconds), [60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });
});
