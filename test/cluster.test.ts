import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { request, sleep, tempDir } from './helpers.js';
import { spawnBridge } from './support/processes.js';
import { clusterSkipReason, freshDatabase, freshPrefix, REDIS_URL } from './support/services.js';

const skip = await clusterSkipReason();
if (skip) console.log(`# ${skip}`);

interface Node {
  url: string;
  child: ChildProcess;
}

/** A TCP relay that can be cut and restored, to take a service away from one node. */
function relay(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      server.listen(port, '127.0.0.1', () => {
        const a = server?.address();
        port = typeof a === 'object' && a ? a.port : port;
        resolve();
      });
    });
  return {
    start,
    get port() {
      return port;
    },
    async cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = null;
    },
  };
}

describe('cluster: three nodes on one PostgreSQL and Redis', { skip }, () => {
  let nodes: Node[] = [];
  let admin = '';
  let dbUrl = '';
  let prefix = '';
  const cleanups: Array<() => Promise<void>> = [];
  const env = (extra: Record<string, string> = {}) => ({
    ARGYBARGY_DATA: tempDir(null),
    ARGYBARGY_DATABASE_URL: dbUrl,
    ARGYBARGY_REDIS_URL: REDIS_URL,
    ARGYBARGY_REDIS_PREFIX: prefix,
    ARGYBARGY_RATE_MAX: '0',
    ...extra,
  });
  const call = (n: number, method: string, path: string, o: Parameters<typeof request>[3] = {}) =>
    request(nodes[n].url, method, path, o);
  const invite = async (name: string, room: string) =>
    (await call(0, 'POST', '/admin/invite', { adminToken: admin, body: { name, room } })).body.code as string;

  before(async () => {
    const db = await freshDatabase(null);
    dbUrl = db.url;
    const p = freshPrefix(null);
    prefix = p.prefix;
    cleanups.push(db.drop, p.clean);
    nodes = await Promise.all([0, 1, 2].map(() => spawnBridge(env())));
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    admin = (await c.query("SELECT value FROM settings WHERE key = 'admin_token'")).rows[0].value;
    await c.end();
  });

  after(async () => {
    for (const n of nodes) n.child.kill('SIGKILL');
    await sleep(200);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('shares one admin token; a rotation on one node takes effect on all', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await call(i, 'GET', '/admin/stats', { adminToken: admin })).status, 200);
    const fresh = (await call(1, 'POST', '/admin/regenerate-token', { adminToken: admin })).body.admin_token;
    for (let i = 0; i < 3; i++) {
      assert.equal((await call(i, 'GET', '/admin/stats', { adminToken: admin })).status, 401, `old token on node ${i}`);
      assert.equal((await call(i, 'GET', '/admin/stats', { adminToken: fresh })).status, 200, `new token on node ${i}`);
    }
    admin = fresh;
  });

  it('wakes a poll parked on node 2 within milliseconds of a post on node 1', async () => {
    const a = await invite('a', 'wake');
    const b = await invite('b', 'wake');
    const times: number[] = [];
    let cursor = 0;
    for (let i = 0; i < 5; i++) {
      const parked = call(1, 'GET', `/messages?since=${cursor}&wait=20`, { code: b });
      await sleep(100);
      const t0 = performance.now();
      await call(0, 'POST', '/messages', { code: a, body: { text: `ping ${i}` } });
      const r = await parked;
      times.push(performance.now() - t0);
      assert.deepEqual(
        r.body.messages.map((m: any) => m.text),
        [`ping ${i}`],
      );
      cursor = r.body.cursor;
    }
    times.sort((x, y) => x - y);
    assert.ok(times[2] < 200, `median wake across nodes ${times[2].toFixed(1)} ms`);
    assert.ok(times[4] < 1000);
  });

  it('ends the parked polls and streams of a revoked code on every node within a second', async () => {
    const carol = await invite('carol', 'revoke');
    const talker = await invite('talker', 'revoke');
    const polls = [1, 2].map((n) => call(n, 'GET', '/messages?since=0&wait=20', { code: carol }));
    const ac = new AbortController();
    const stream = await fetch(`${nodes[2].url}/messages/stream`, {
      headers: { authorization: `Bearer ${carol}` },
      signal: ac.signal,
    });
    const text = stream.text().catch(() => '');
    await sleep(200);
    const t0 = performance.now();
    await call(0, 'POST', '/admin/revoke', { adminToken: admin, body: { target: 'carol' } });
    const answers = await Promise.all(polls);
    for (const r of answers) assert.deepEqual([r.status, r.body.reason], [401, 'access_revoked']);
    const events = await text;
    assert.ok(performance.now() - t0 < 1000, `ended after ${(performance.now() - t0).toFixed(0)} ms`);
    assert.match(events, /event: exit\ndata: \{"should_exit":true,"exit_reason":"access_revoked"/);
    await call(0, 'POST', '/messages', { code: talker, body: { text: 'too late', to: 'carol' } });
    for (let n = 0; n < 3; n++) assert.equal((await call(n, 'GET', '/whoami', { code: carol })).status, 401);
    ac.abort();
  });

  it('holds back an address that fails sign-in too often, whichever node it tries', async () => {
    const from = { 'x-forwarded-for': '203.0.113.99' };
    const statuses: number[] = [];
    for (let i = 0; i < 55; i++) {
      statuses.push((await call(i % 3, 'GET', '/whoami', { code: `wrong-${i}`, headers: from })).status);
    }
    assert.equal(statuses.filter((s) => s === 401).length, 50, 'fifty a minute, counted across the nodes');
    assert.ok(statuses.slice(50).every((s) => s === 429));
  });

  it('lets exactly one of 60 claimers spread over the nodes win', async () => {
    const asker = await invite('asker', 'race');
    const claimers = await Promise.all(Array.from({ length: 60 }, (_, i) => invite(`c${i}`, 'race')));
    for (let round = 0; round < 3; round++) {
      const seq = (
        await call(0, 'POST', '/messages', { code: asker, body: { text: `q${round}`, expects_reply: 'anyone' } })
      ).body.message.seq;
      const res = await Promise.all(claimers.map((code, i) => call(i % 3, 'POST', `/messages/${seq}/claim`, { code })));
      assert.equal(res.filter((r) => r.status === 200).length, 1, `round ${round}`);
      assert.equal(new Set(res.map((r) => r.body.claimed_by)).size, 1);
      assert.ok(res.every((r) => r.status === 200 || r.status === 409));
    }
  });

  it('lapses a lease once with three nodes, even when the node that took the claim is gone: one notice, one winner', async () => {
    const extra = await spawnBridge(env());
    const asker = await invite('asker', 'lease');
    const holder = await invite('holder', 'lease');
    const others = await Promise.all(Array.from({ length: 9 }, (_, i) => invite(`o${i}`, 'lease')));
    const q = (
      await call(0, 'POST', '/messages', {
        code: asker,
        body: { text: 'who takes it?', expects_reply: 'anyone', claim_lease: 2 },
      })
    ).body.message;
    const won = await request(extra.url, 'POST', `/messages/${q.seq}/claim`, { code: holder });
    assert.equal(won.status, 200, won.text);
    // The node that took the claim dies; the expiry is in the database, so the others lapse it.
    extra.child.kill('SIGKILL');
    const parked = [0, 1, 2].map((n) => call(n, 'GET', `/messages?since=${q.seq}&wait=20`, { code: others[n] }));
    const woke = await Promise.all(parked);
    for (const [n, r] of woke.entries()) {
      const notice = r.body.messages.find((m: any) => m.kind === 'claim_reopened');
      assert.ok(notice, `node ${n} woke its poll with the notice: ${r.text}`);
      assert.deepEqual([notice.from, notice.reply_to, notice.reason], ['argybargy', q.seq, 'lease_expired']);
    }
    // Every node sweeps every second: give them several rounds, then count.
    await sleep(3000);
    const hist = (await call(1, 'GET', '/history?limit=500', { code: asker })).body.messages;
    assert.equal(hist.filter((m: any) => m.kind === 'claim_reopened').length, 1, 'one notice, not three');
    assert.equal(hist.find((m: any) => m.seq === q.seq).claimed_by, null);
    const audit = (await call(2, 'GET', '/admin/audit?limit=1000', { adminToken: admin })).body.events;
    assert.equal(audit.filter((e: any) => e.action === 'claim_reopened' && e.room === 'lease').length, 1);
    const res = await Promise.all(others.map((code, i) => call(i % 3, 'POST', `/messages/${q.seq}/claim`, { code })));
    assert.equal(res.filter((r) => r.status === 200).length, 1, 'exactly one wins the reopened question');
    assert.equal(new Set(res.map((r) => r.body.claimed_by)).size, 1);
  });

  it('counts the rate limit across nodes', async () => {
    const limited = await Promise.all(
      [0, 1].map(() => spawnBridge(env({ ARGYBARGY_RATE_MAX: '3', ARGYBARGY_RATE_WINDOW: '60' }))),
    );
    after(() => {
      for (const n of limited) n.child.kill('SIGKILL');
    });
    const code = await invite('chatty', 'rates');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await request(limited[i % 2].url, 'POST', '/messages', { code, body: { text: `m${i}` } })).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });

  it('wakes polls on nodes 1 and 2 when node 3 closes the room; presence and roster agree everywhere', async () => {
    const a = await invite('p1', 'closing');
    const b = await invite('p2', 'closing');
    await call(0, 'GET', '/whoami', { code: a });
    const peers = (await call(2, 'GET', '/peers', { code: b })).body.peers.map((p: any) => p.name);
    assert.ok(peers.includes('p1'), 'seen on node 1, listed by node 3');
    const roster = (await call(1, 'GET', '/admin/state', { adminToken: admin })).body.roster.closing;
    assert.deepEqual(
      roster.map((r: any) => r.name),
      ['p1', 'p2'],
    );
    const polls = [call(0, 'GET', '/messages?wait=20', { code: a }), call(1, 'GET', '/messages?wait=20', { code: b })];
    await sleep(150);
    const t0 = performance.now();
    await call(2, 'POST', '/admin/rooms/closing/close', { adminToken: admin });
    for (const r of await Promise.all(polls))
      assert.deepEqual([r.body.should_exit, r.body.exit_reason], [true, 'room_closed']);
    assert.ok(performance.now() - t0 < 1000);
  });

  it('delivers every visible message exactly once to agents spread over the nodes; seqs stay contiguous', async () => {
    const names = ['s0', 's1', 's2', 's3', 's4', 's5'];
    const codes = await Promise.all(names.map((n) => invite(n, 'spread')));
    let posting = true;
    const got: number[][] = names.map(() => []);
    const readers = names.map(async (_, i) => {
      let cursor = 0;
      for (;;) {
        const r = await call(i % 3, 'GET', `/messages?since=${cursor}&wait=${posting ? 5 : 0}`, { code: codes[i] });
        for (const m of r.body.messages) got[i].push(m.seq);
        cursor = r.body.cursor;
        if (!posting && r.body.messages.length === 0) return;
      }
    });
    const posted: Array<{ seq: number; from: number }> = [];
    const until = Date.now() + 2500;
    await Promise.all(
      names.map(async (_, i) => {
        let k = 0;
        while (Date.now() < until) {
          const r = await call((i + 1) % 3, 'POST', '/messages', { code: codes[i], body: { text: `${i}-${k++}` } });
          assert.equal(r.status, 200);
          posted.push({ seq: r.body.message.seq, from: i });
        }
      }),
    );
    posting = false;
    await Promise.all(readers);
    const seqs = posted.map((p) => p.seq).sort((x, y) => x - y);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
      'contiguous, no gaps, no duplicates',
    );
    for (let i = 0; i < names.length; i++) {
      const expected = posted
        .filter((p) => p.from !== i)
        .map((p) => p.seq)
        .sort((x, y) => x - y);
      assert.deepEqual(
        [...got[i]].sort((x, y) => x - y),
        expected,
        `${names[i]} got every message once`,
      );
    }
  });

  it('keeps MCP waits exactly-once across nodes: a cancel lands anywhere, parallel waits never share', async () => {
    const a = await invite('a', 'mcp');
    const m = await invite('m', 'mcp');
    const rpc = (n: number, body: object) =>
      call(n, 'POST', '/mcp', {
        code: m,
        headers: { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' },
        body: { jsonrpc: '2.0', ...body },
      });
    const wait = (id: number, seconds: number) => ({
      id,
      method: 'tools/call',
      params: { name: 'wait_for_messages', arguments: { wait_seconds: seconds } },
    });
    const texts = (r: { body: any }) => r.body.result.structuredContent?.messages.map((x: any) => x.text);

    // Parked on node 1, cancelled through node 2: it ends at once with nothing.
    const parked = rpc(0, wait(1, 20));
    await sleep(300);
    const t0 = Date.now();
    assert.equal((await rpc(1, { method: 'notifications/cancelled', params: { requestId: 1 } })).status, 202);
    const ended = await parked;
    assert.ok(Date.now() - t0 < 3000, 'the cancel reached the other node');
    assert.equal(ended.body.result.isError, true);
    await call(2, 'POST', '/messages', { code: a, body: { text: 'kept' } });
    assert.deepEqual(texts(await rpc(2, wait(2, 5))), ['kept']);

    // Three waits of one agent on three nodes: one message, taken once.
    const waits = [0, 1, 2].map((n) => rpc(n, wait(10 + n, 3)));
    await sleep(300);
    await call(0, 'POST', '/messages', { code: a, body: { text: 'once' } });
    assert.deepEqual((await Promise.all(waits)).flatMap(texts), ['once']);
  });

  it('keeps serving when a node dies mid-traffic, losing nothing acknowledged', async () => {
    const extra = await spawnBridge(env());
    const victim = extra.child;
    const code = await invite('survivor', 'crash');
    const reader = await invite('reader', 'crash');
    const acked: number[] = [];
    const sender = (async () => {
      for (let k = 0; k < 60; k++) {
        const url = k % 2 === 0 ? extra.url : nodes[0].url;
        const r = await request(url, 'POST', '/messages', { code, body: { text: `k${k}` } }).catch(() => null);
        if (r?.status === 200) acked.push(r.body.message.seq);
        if (k === 20) victim.kill('SIGKILL');
        await sleep(5);
      }
    })();
    await sender;
    assert.ok(acked.length >= 40, `the surviving node kept serving (${acked.length} acknowledged)`);
    const seen = new Set<number>();
    let cursor = 0;
    for (;;) {
      const r = await call(1, 'GET', `/messages?since=${cursor}`, { code: reader });
      if (r.body.messages.length === 0) break;
      for (const m of r.body.messages) seen.add(m.seq);
      cursor = r.body.cursor;
    }
    for (const s of acked) assert.ok(seen.has(s), `acknowledged message ${s} is there`);
  });

  it('answers 503 while PostgreSQL or Redis is away, and recovers by itself', async () => {
    const pgUrl = new URL(dbUrl);
    const redisUrl = new URL(REDIS_URL);
    const pgRelay = relay({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    const redisRelay = relay({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    await pgRelay.start();
    await redisRelay.start();
    const viaPg = new URL(dbUrl);
    viaPg.port = String(pgRelay.port);
    const node = await spawnBridge(
      env({ ARGYBARGY_DATABASE_URL: viaPg.toString(), ARGYBARGY_REDIS_URL: `redis://127.0.0.1:${redisRelay.port}` }),
    );
    after(() => node.child.kill('SIGKILL'));
    const code = await invite('fragile', 'outage');
    assert.equal((await request(node.url, 'POST', '/messages', { code, body: { text: 'before' } })).status, 200);

    await pgRelay.cut();
    const notReady = await request(node.url, 'GET', '/ready');
    assert.equal(notReady.status, 503, '/ready says so');
    const down = await request(node.url, 'POST', '/messages', { code, body: { text: 'during' } });
    assert.equal(down.status, 503);
    assert.equal(down.body.error, 'unavailable');
    assert.match(down.body.detail, /database is unreachable/);
    await pgRelay.start();
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await request(node.url, 'POST', '/messages', { code, body: { text: 'after' } })).status;
      if (back !== 200) await sleep(100);
    }
    assert.equal(back, 200, 'recovers once the database is back');

    await redisRelay.cut();
    const noRedis = await request(node.url, 'GET', '/messages?since=0&wait=0', { code });
    assert.equal(noRedis.status, 503);
    assert.match(noRedis.body.detail, /Redis/);
    const durable = await request(node.url, 'POST', '/messages', { code, body: { text: 'while redis is away' } });
    assert.equal(durable.status, 200, 'a post is committed in PostgreSQL even when the wake-up cannot be sent');
    await redisRelay.start();
    let ok = 0;
    for (let i = 0; i < 60 && ok !== 200; i++) {
      ok = (await request(node.url, 'GET', '/messages?since=0&wait=0', { code })).status;
      if (ok !== 200) await sleep(100);
    }
    assert.equal(ok, 200, 'recovers once Redis is back');
    await pgRelay.cut();
    await redisRelay.cut();
  });
});
