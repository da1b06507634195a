import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poll, post, sleep, startBridge, type TestBridge } from '../helpers.js';
import { receiver } from '../support/receiver.js';

/** Three agents in room `r`, each having said hello (so all three are members). */
async function room(t: Parameters<typeof startBridge>[0], env: Record<string, string> = {}) {
  const b = await startBridge(t, env);
  const alice = await b.invite('alice', 'r');
  const bob = await b.invite('bob', 'r');
  const carol = await b.invite('carol', 'r');
  for (const code of [alice, bob, carol]) assert.equal((await post(b, code, 'hello')).status, 200);
  return { b, alice, bob, carol };
}

async function ask(b: TestBridge, code: string, text: string, extra: Record<string, unknown> = {}) {
  const r = await post(b, code, text, extra);
  assert.equal(r.status, 200, r.text);
  return r.body.message as { seq: number; reply_to: number | null; answered_by: string | null };
}

async function waitingSeqs(b: TestBridge): Promise<number[]> {
  const s = await b.call('GET', '/admin/state', { admin: true });
  return s.body.waiting.filter((w: any) => w.room === 'r').map((w: any) => w.seq);
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

describe('threads and answers over HTTP', () => {
  it('a reply from the addressee answers the question: answered_by everywhere, out of the inbox', async (t) => {
    const { b, alice, bob, carol } = await room(t);
    const q = await ask(b, alice, 'bob, can you review #42?', { expects_reply: 'bob' });
    assert.deepEqual([q.reply_to, q.answered_by], [null, null], 'every message carries the new fields');
    assert.deepEqual(await waitingSeqs(b), [q.seq]);

    const plain = await ask(b, carol, 'I could too', { reply_to: q.seq });
    assert.equal(plain.reply_to, q.seq);
    const hist = await b.call('GET', '/history', { code: carol });
    assert.equal(hist.body.messages.find((m: any) => m.seq === q.seq).answered_by, null, 'carol was not asked');

    const answer = await ask(b, bob, 'Reviewed: LGTM', { reply_to: q.seq });
    assert.equal(answer.reply_to, q.seq);
    assert.deepEqual(await waitingSeqs(b), [], 'the answered question left the operator inbox');
    const state = await b.call('GET', '/admin/state', { admin: true });
    const inState = state.body.messages.find((m: any) => m.seq === q.seq && m.room === 'r');
    assert.equal(inState.answered_by, 'bob');
    assert.match(inState.answered_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const polled = await poll(b, carol, 0);
    const q1 = polled.body.messages.find((m: any) => m.seq === q.seq);
    assert.deepEqual([q1.answered_by, q1.answered_at], ['bob', inState.answered_at]);
    assert.equal(polled.body.messages.find((m: any) => m.seq === answer.seq).reply_to, q.seq);
    // A claim now is 409, naming who answered.
    const claim = await b.call('POST', `/messages/${q.seq}/claim`, { code: carol });
    assert.equal(claim.status, 409);
    assert.deepEqual(
      {
        won: claim.body.won,
        claimed_by: claim.body.claimed_by,
        seq: claim.body.seq,
        answered_by: claim.body.answered_by,
      },
      { won: false, claimed_by: 'bob', seq: q.seq, answered_by: 'bob' },
    );
    assert.equal(claim.body.error, 'already_claimed');
    assert.match(claim.body.detail, /answered by bob/);
  });

  it("an unclaimed 'anyone' is answered and claimed by the first replier; a later claim is 409", async (t) => {
    const { b, alice, bob, carol } = await room(t);
    const q = await ask(b, alice, 'who can take the migration?', { expects_reply: 'anyone' });
    await ask(b, carol, 'on it', { reply_to: q.seq });
    const claim = await b.call('POST', `/messages/${q.seq}/claim`, { code: bob });
    assert.equal(claim.status, 409);
    assert.deepEqual([claim.body.claimed_by, claim.body.answered_by], ['carol', 'carol']);
    const m = (await b.call('GET', '/history', { code: bob })).body.messages.find((x: any) => x.seq === q.seq);
    assert.deepEqual([m.claimed_by, m.answered_by], ['carol', 'carol']);
    // Claimed by bob first: carol's reply is a plain reply, and the question stays in the inbox.
    const q2 = await ask(b, alice, 'and the docs?', { expects_reply: 'anyone' });
    const won = await b.call('POST', `/messages/${q2.seq}/claim`, { code: bob });
    const { lease_expires_at: _lease, ...asBefore } = won.body;
    assert.deepEqual(
      asBefore,
      { won: true, claimed_by: 'bob', seq: q2.seq },
      'a win answers as it always did (plus the lease)',
    );
    await ask(b, carol, 'I know the docs', { reply_to: q2.seq });
    const m2 = (await b.call('GET', '/history', { code: bob })).body.messages.find((x: any) => x.seq === q2.seq);
    assert.deepEqual([m2.claimed_by, m2.answered_by], ['bob', null]);
  });

  it('refuses a bad reply_to with a 400 naming the field, storing nothing', async (t) => {
    const { b, alice, bob, carol } = await room(t, { ARGYBARGY_MAX_MESSAGES_PER_ROOM: '6' });
    const dm = await ask(b, alice, 'just for bob', { to: 'bob' });
    const other = await b.invite('dave', 'elsewhere');
    const elsewhere = await ask(b, other, 'in another room');
    for (const value of [0, -1, 1.5, '3', true, {}, 2 ** 53, 999, dm.seq]) {
      const r = await post(b, carol, 'a reply', { reply_to: value });
      assert.equal(r.status, 400, `reply_to ${JSON.stringify(value)}: ${r.text}`);
      assert.equal(r.body.error, 'bad_request');
      assert.match(r.body.detail, /reply_to/, String(value));
    }
    // A seq that exists in another room only is not a message of this one.
    assert.equal(elsewhere.seq, 1);
    const cross = await post(b, carol, 'x', { reply_to: 4 + 100 });
    assert.equal(cross.status, 400);
    // Retention: the room keeps 6 messages, so the first hello is gone.
    for (let i = 0; i < 4; i++) await ask(b, bob, `filler ${i}`);
    const pruned = await post(b, carol, 'late reply', { reply_to: 1 });
    assert.equal(pruned.status, 400);
    assert.match(pruned.body.detail, /reply_to 1/);
    const hist = await b.call('GET', '/history', { code: alice });
    assert.ok(!hist.body.messages.some((m: any) => m.from === 'carol' && m.text !== 'hello'), 'nothing was stored');
    // null means no reply, as when left out; the recipient of a DM may reply to it.
    assert.equal((await post(b, carol, 'plain', { reply_to: null })).body.message.reply_to, null);
    assert.equal((await ask(b, bob, 'got it', { to: 'alice', reply_to: dm.seq })).reply_to, dm.seq);
  });

  it('/admin/say takes reply_to for any message of the room, and refuses others naming the field', async (t) => {
    const { b, alice } = await room(t);
    const q = await ask(b, alice, 'operator, may I deploy?', { expects_reply: 'operator' });
    const dm = await ask(b, alice, 'private', { to: 'bob' });
    assert.deepEqual(await waitingSeqs(b), [q.seq, dm.seq], 'a DM expects its recipient to reply');
    const say = (body: Record<string, unknown>) =>
      b.call('POST', '/admin/say', { admin: true, body: { room: 'r', ...body } });
    const yes = await say({ text: 'yes', reply_to: q.seq });
    assert.equal(yes.status, 200, yes.text);
    assert.equal(yes.body.message.reply_to, q.seq);
    assert.deepEqual(await waitingSeqs(b), [dm.seq]);
    assert.equal((await say({ text: 'seen', reply_to: dm.seq })).status, 200, 'the operator sees every message');
    assert.deepEqual(await waitingSeqs(b), [dm.seq], 'and answers only what was put to it');
    for (const reply_to of [0, 'x', 999]) {
      const r = await say({ text: 'no', reply_to });
      assert.equal(r.status, 400, String(reply_to));
      assert.match(r.body.detail, /reply_to/);
    }
    assert.equal((await say({ text: 'no', room: 'empty-room', reply_to: 1 })).status, 400);
  });

  it('GET /messages/{seq}/thread: the root and every visible reply, from any seq in it; 404 otherwise', async (t) => {
    const { b, alice, bob, carol } = await room(t);
    const root = await ask(b, alice, 'plan for the release?', { expects_reply: 'anyone' });
    const r1 = await ask(b, bob, 'cut on Friday', { reply_to: root.seq });
    await ask(b, carol, 'unrelated chatter');
    const r2 = await ask(b, carol, 'Friday works', { reply_to: r1.seq });
    const hidden = await ask(b, alice, 'between us: not Friday', { to: 'bob', reply_to: r1.seq });

    const th = await b.call('GET', `/messages/${r2.seq}/thread`, { code: carol });
    assert.equal(th.status, 200, th.text);
    assert.equal(th.body.room, 'r');
    assert.equal(th.body.root.seq, root.seq);
    assert.equal(th.body.root.answered_by, 'bob');
    assert.deepEqual(
      th.body.messages.map((m: any) => m.seq),
      [root.seq, r1.seq, r2.seq],
    );
    assert.equal(th.body.truncated, false);
    const bobs = await b.call('GET', `/messages/${root.seq}/thread`, { code: bob });
    assert.deepEqual(
      bobs.body.messages.map((m: any) => m.seq),
      [root.seq, r1.seq, r2.seq, hidden.seq],
    );
    for (const [path, status] of [
      [`/messages/${hidden.seq}/thread`, 404],
      ['/messages/999/thread', 404],
      ['/messages/0/thread', 400],
      ['/messages/abc/thread', 400],
    ] as const) {
      const r = await b.call('GET', path, { code: carol });
      assert.equal(r.status, status, path);
      assert.ok(r.body.error && r.body.detail, path);
    }
    assert.equal((await b.call('GET', `/messages/${root.seq}/thread`)).status, 401);
    const outsider = await b.invite('eve', 'other');
    assert.equal((await b.call('GET', `/messages/${root.seq}/thread`, { code: outsider })).status, 404);
  });

  it('carries reply_to on the event stream and in webhooks that include the text', async (t) => {
    const { b, alice, bob } = await room(t, { ARGYBARGY_WEBHOOK_PRIVATE: '1' });
    const rx = await receiver(t, (_req, res) => res.writeHead(200).end());
    await b.call('POST', '/webhook', { code: alice, body: { url: rx.url, include_text: true } });
    const q = await ask(b, alice, 'status?', { expects_reply: 'bob' });
    const ac = new AbortController();
    t.after(() => ac.abort());
    const res = await fetch(`${b.url}/messages/stream?since=${q.seq}`, {
      headers: { authorization: `Bearer ${alice}`, accept: 'text/event-stream' },
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    const reply = await ask(b, bob, 'green', { reply_to: q.seq });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const dec = new TextDecoder();
    while (!text.includes('"reply_to"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    const data = text
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => JSON.parse(l.slice(5)))
      .find((d) => d.seq === reply.seq);
    assert.deepEqual([data.reply_to, data.answered_by], [q.seq, null]);
    ac.abort();
    await until(() => rx.hits.some((h) => JSON.parse(h.body).seq === reply.seq), 3000);
    const notice = JSON.parse(rx.hits.find((h) => JSON.parse(h.body).seq === reply.seq)?.body ?? '{}');
    assert.deepEqual([notice.text, notice.reply_to], ['green', q.seq]);
  });
});
