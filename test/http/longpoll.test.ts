import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAGE as POLL_PAGE } from '../../src/services/delivery.js';
import { poll, post, sleep, startBridge } from '../helpers.js';

describe('long-poll', () => {
  it('answers with the full shape', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'shape');
    const body = (await poll(b, a)).body;
    assert.deepEqual(Object.keys(body).sort(), [
      'cursor',
      'exit_reason',
      'messages',
      'poll_budget',
      'room',
      'room_closed',
      'should_exit',
    ]);
    assert.deepEqual(body.room, { name: 'shape', status: 'open', closed_at: null, closed_by: null });
    assert.deepEqual([body.cursor, body.room_closed, body.should_exit, body.exit_reason], [0, false, false, null]);
    assert.equal(body.poll_budget.max_idle_seconds, 1800);
    assert.equal(body.poll_budget.reason, null);
  });

  it('wakes a parked poll within milliseconds of a post', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'wake');
    const c = await b.invite('c', 'wake');
    for (let i = 0; i < 3; i++) {
      const cursor = (await poll(b, c)).body.cursor;
      const parked = poll(b, c, cursor, 10);
      await sleep(100);
      const sent = performance.now();
      await post(b, a, `wake up ${i}`);
      const answer = await parked;
      const latency = performance.now() - sent;
      assert.deepEqual(
        answer.body.messages.map((m: any) => m.text),
        [`wake up ${i}`],
      );
      assert.ok(latency < 500, `woke ${latency.toFixed(1)} ms after the post`);
    }
  });

  it('stays parked through messages meant for others', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'dm');
    const c = await b.invite('c', 'dm');
    await b.invite('d', 'dm');
    const parked = poll(b, c, 0, 10);
    await sleep(50);
    await post(b, a, 'for d only', { to: 'd' });
    await post(b, c, 'my own broadcast'.replace('my own', 'c says'));
    await sleep(150);
    assert.equal(b.running.ctx.live.wakeups.parkedCount(), 1, 'still parked');
    await post(b, a, 'for c', { to: 'c' });
    const answer = (await parked).body;
    assert.deepEqual(
      answer.messages.map((m: any) => m.text),
      ['for c'],
    );
    assert.equal(answer.cursor, 3);
  });

  it('returns at once on a closed room and wakes parked polls the moment the room closes', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('parker', 'closing');
    await post(b, a, 'waiting');
    const started = performance.now();
    const parked = poll(b, a, 99, 25);
    await sleep(200);
    const closed = await b.call('POST', '/admin/rooms/closing/close', { admin: true, body: { by: 'titus' } });
    assert.equal(closed.status, 200);
    assert.equal(closed.body.room.status, 'closed');
    const body = (await parked).body;
    assert.ok(performance.now() - started < 3000);
    assert.equal(body.should_exit, true);
    assert.equal(body.exit_reason, 'room_closed');
    assert.equal(body.room_closed, true);
    assert.equal(body.room.closed_by, 'titus');
    assert.equal(body.poll_budget.reason, 'room_closed');
    const t0 = performance.now();
    const again = (await poll(b, a, 0, 25)).body;
    assert.ok(performance.now() - t0 < 1000, 'a poll on a closed room does not park');
    assert.equal(again.should_exit, true);
    assert.deepEqual(again.messages, [], 'its own message is not echoed');
  });

  it('says idle_timeout when nothing happens for ARGYBARGY_MAX_IDLE_SECONDS, and answers when it trips', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_IDLE_SECONDS: '1' });
    const a = await b.invite('a', 'idle');
    const started = performance.now();
    const body = (await poll(b, a, 0, 10)).body;
    const took = performance.now() - started;
    assert.ok(took >= 900 && took < 3000, `answered after ${took.toFixed(0)} ms`);
    assert.equal(body.should_exit, true);
    assert.equal(body.exit_reason, 'idle_timeout');
    assert.equal(body.room_closed, false);
    assert.equal(body.poll_budget.seconds_left, 0);
  });

  it('counts the wait across polls, resets it on delivery, and any message resets the room clock', async (t) => {
    let now = Date.now();
    const b = await startBridge(t, { ARGYBARGY_MAX_IDLE_SECONDS: '100' }, { now: () => now });
    const a = await b.invite('a', 'clock');
    const c = await b.invite('c', 'clock');
    const first = (await poll(b, c)).body.poll_budget;
    now += 30_000;
    const second = (await poll(b, c)).body.poll_budget;
    assert.equal(first.waited_seconds, 0);
    assert.equal(second.waited_seconds, 30);
    assert.equal(second.seconds_left, 70);
    now += 80_000;
    const tripped = (await poll(b, c)).body;
    assert.equal(tripped.exit_reason, 'idle_timeout');
    await b.call('POST', '/admin/say', { admin: true, body: { room: 'clock', text: 'still here' } });
    const got = (await poll(b, c)).body;
    assert.equal(got.messages.length, 1);
    assert.equal(got.poll_budget.waited_seconds, 0);
    assert.equal(got.poll_budget.room_quiet_seconds, 0);
    assert.equal(got.should_exit, false);
    now += 5_000;
    const after = (await poll(b, c, got.cursor)).body.poll_budget;
    assert.equal(after.waited_seconds, 0, 'the dry stretch restarted at this poll');
    assert.equal(after.room_quiet_seconds, 5);
    void a;
  });

  it('caps wait at ARGYBARGY_MAX_WAIT', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_WAIT: '1' });
    const a = await b.invite('patient');
    const started = performance.now();
    const r = await poll(b, a, 0, 99_999);
    const took = performance.now() - started;
    assert.equal(r.status, 200);
    assert.ok(took >= 900 && took < 3000, `answered after ${took.toFixed(0)} ms`);
  });

  it('releases a parked poll when the client hangs up', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('quitter');
    const ac = new AbortController();
    const parked = poll(b, a, 0, 25, ac.signal).catch((e) => e);
    await sleep(100);
    assert.equal(b.running.ctx.live.wakeups.parkedCount(), 1);
    ac.abort();
    await parked;
    const t0 = Date.now();
    while (b.running.ctx.live.wakeups.parkedCount() > 0 && Date.now() - t0 < 2000) await sleep(10);
    assert.equal(b.running.ctx.live.wakeups.parkedCount(), 0);
    assert.equal((await b.call('GET', '/health')).status, 200);
  });

  it('pages a long backlog and the cursor carries on from the last message delivered', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_MESSAGES_PER_ROOM: '0' });
    const reader = await b.invite('reader', 'backlog');
    const total = POLL_PAGE + 5;
    for (let i = 1; i <= total; i++) {
      const r = await b.call('POST', '/admin/say', { admin: true, body: { room: 'backlog', text: `m${i}` } });
      assert.equal(r.status, 200);
    }
    const first = (await poll(b, reader)).body;
    assert.equal(first.messages.length, POLL_PAGE);
    assert.equal(first.cursor, POLL_PAGE);
    const rest = (await poll(b, reader, first.cursor)).body;
    assert.deepEqual(
      rest.messages.map((m: any) => m.seq),
      [1001, 1002, 1003, 1004, 1005],
    );
    assert.equal(rest.cursor, total);
  });

  it('delivers every visible message exactly once to every reader under concurrent posting', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '0' });
    const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
    const codes = Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await b.invite(n, 'busy')] as const)),
    );
    const perPoster = 40;
    let posting = true;
    const received: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));

    const reader = async (name: string) => {
      let cursor = 0;
      for (;;) {
        const body = (await poll(b, codes[name], cursor, posting ? 5 : 0)).body;
        for (const m of body.messages) received[name].push(m.seq);
        assert.ok(body.cursor >= cursor, 'the cursor never goes back');
        cursor = body.cursor;
        if (!posting && body.messages.length === 0) return;
      }
    };
    const poster = async (name: string, i: number) => {
      for (let k = 0; k < perPoster; k++) {
        // A mix of broadcasts and DMs, so each reader sees a different subset.
        const to = k % 3 === 0 ? names[(i + 1) % names.length] : 'all';
        const r = await post(b, codes[name], `${name}-${k}`, { to });
        assert.equal(r.status, 200);
        if (k % 7 === 0) await sleep(1);
      }
    };
    const readers = names.map(reader);
    await Promise.all(names.map(poster));
    posting = false;
    await Promise.all(readers);

    const all = (await b.call('GET', '/admin/state?room=busy', { admin: true })).body;
    assert.equal(all.rooms[0].last_seq, names.length * perPoster, 'seqs are contiguous');
    const history = (await b.call('GET', '/history?limit=500', { code: codes.p0 })).body.messages;
    assert.ok(history.length > 0);
    // Rebuild every message from the operator's view to know who should see what.
    const everything: Array<{ seq: number; from: string; to: string }> = [];
    let since = 0;
    const watcher = await b.invite('watcher', 'busy');
    for (;;) {
      const body = (await poll(b, watcher, since)).body;
      if (body.messages.length === 0) break;
      everything.push(...body.messages.filter((m: any) => m.to === 'all'));
      since = body.cursor;
    }
    const dms = (await Promise.all(names.map((n) => b.call('GET', '/history?limit=500', { code: codes[n] }))))
      .flatMap((r) => r.body.messages)
      .filter((m: any) => m.to !== 'all');
    const bySeq = new Map<number, { from: string; to: string }>();
    for (const m of [...everything, ...dms]) bySeq.set(m.seq, m);
    assert.equal(bySeq.size, names.length * perPoster);
    for (const n of names) {
      const expected = [...bySeq.entries()]
        .filter(([, m]) => m.from !== n && (m.to === 'all' || m.to === n))
        .map(([s]) => s)
        .sort((x, y) => x - y);
      const got = [...received[n]].sort((x, y) => x - y);
      assert.equal(new Set(got).size, got.length, `${n} got a duplicate`);
      assert.deepEqual(got, expected, `${n} missed or got extra messages`);
    }
  });
});
