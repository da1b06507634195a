import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request, sleep, tempDir } from './helpers.js';
import { type BridgeProcess, spawnBridge, stopProcess } from './support/processes.js';

/** Median and maximum of a list of milliseconds. */
function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

/**
 * One well-behaved exchange: the partner posts, the agent's parked poll answers.
 * Returns the time from the post to the answer, and the new cursor.
 */
async function exchange(url: string, me: string, partner: string, since: number, i: number) {
  const parked = request(url, 'GET', `/messages?since=${since}&wait=10`, { code: me });
  await sleep(20);
  const t0 = performance.now();
  const sent = await request(url, 'POST', '/messages', { code: partner, body: { text: `ping ${i}` } });
  const r = await parked;
  const took = performance.now() - t0;
  assert.equal(sent.status, 200);
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.body.messages.map((m: any) => m.text),
    [`ping ${i}`],
  );
  return { took, cursor: r.body.cursor as number };
}

describe('under abuse, the bridge keeps answering a well-behaved agent', () => {
  let bridge: BridgeProcess;
  let tarpit: Server;
  const held: Socket[] = [];
  after(async () => {
    for (const s of held) s.destroy();
    tarpit?.closeAllConnections();
    tarpit?.close();
    if (bridge) await stopProcess(bridge.child);
  });

  it('wrong codes, one agent opening many waits, slow bodies and a tarpit webhook, all at once', async () => {
    const dir = tempDir(null);
    bridge = await spawnBridge({
      ARGYBARGY_DATA: dir,
      ARGYBARGY_RATE_MAX: '0',
      ARGYBARGY_WEBHOOK_PRIVATE: '1',
      ARGYBARGY_TRUST_PROXY: 'none',
      ARGYBARGY_REQUEST_TIMEOUT: '5',
    });
    const url = bridge.url;
    const admin = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const invite = async (name: string) =>
      (await request(url, 'POST', '/admin/invite', { adminToken: admin, body: { name, room: 'work' } })).body
        .code as string;
    const [me, partner, greedy, sleeper] = await Promise.all(['me', 'partner', 'greedy', 'sleeper'].map(invite));

    // The normal latency, before anything else happens.
    let cursor = 0;
    const normal: number[] = [];
    for (let i = 0; i < 15; i++) {
      const x = await exchange(url, me, partner, cursor, i);
      normal.push(x.took);
      cursor = x.cursor;
    }

    // A webhook whose receiver accepts connections and never answers.
    tarpit = createServer(() => undefined);
    await new Promise<void>((r) => tarpit.listen(0, '127.0.0.1', () => r()));
    const port = (tarpit.address() as { port: number }).port;
    assert.equal(
      (await request(url, 'POST', '/webhook', { code: sleeper, body: { url: `http://127.0.0.1:${port}/` } })).status,
      200,
    );

    // One agent opens far more waits than it may.
    const greedyStatuses = await Promise.all(
      Array.from({ length: 60 }, () =>
        request(url, 'GET', '/messages/stream', { code: greedy, signal: AbortSignal.timeout(1500) })
          .then((r) => r.status)
          .catch(() => 200),
      ),
    );
    assert.ok(greedyStatuses.filter((s) => s === 429).length >= 28, 'everything over the cap is refused');

    // Slow bodies, a byte at a time.
    const u = new URL(url);
    for (let i = 0; i < 10; i++) {
      const s = connect(Number(u.port), u.hostname);
      s.on('error', () => undefined);
      s.write(`POST /messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${me}\r\nContent-Length: 100000\r\n\r\n{`);
      held.push(s);
    }
    const drip = setInterval(() => {
      for (const s of held) if (!s.destroyed) s.write(' ');
    }, 500);

    // Wrong codes, as fast as ten connections can send them.
    let attacking = true;
    const outcomes = new Map<number, number>();
    const attackers = Array.from({ length: 10 }, async () => {
      while (attacking) {
        const r = await request(url, 'GET', '/whoami', { code: randomBytes(24).toString('base64url') }).catch(
          () => null,
        );
        if (r) outcomes.set(r.status, (outcomes.get(r.status) ?? 0) + 1);
      }
    });

    await sleep(300);
    const underAbuse: number[] = [];
    for (let i = 15; i < 35; i++) {
      const x = await exchange(url, me, partner, cursor, i);
      underAbuse.push(x.took);
      cursor = x.cursor;
    }
    attacking = false;
    clearInterval(drip);
    await Promise.all(attackers);

    const before = stats(normal);
    const during = stats(underAbuse);
    const wrong = [...outcomes.values()].reduce((a, b) => a + b, 0);
    console.log(
      `# normal median ${before.median.toFixed(1)} ms (max ${before.max.toFixed(1)}); under abuse median ${during.median.toFixed(1)} ms (max ${during.max.toFixed(1)}); ${wrong} wrong codes: ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    assert.ok(wrong > 200, 'the attack really ran');
    assert.ok((outcomes.get(429) ?? 0) > 0, 'the attacking address was held back');
    assert.ok(during.median < before.median * 4 + 25, `median ${during.median.toFixed(1)} ms under abuse`);
    assert.ok(during.max < 1000, `slowest exchange ${during.max.toFixed(1)} ms`);

    // The audit log holds summaries, not thousands of rows.
    const events = (await request(url, 'GET', '/admin/audit?limit=1000&class=auth', { adminToken: admin })).body.events;
    assert.ok(events.length < 30, `${events.length} audit rows for ${wrong} failures`);
  });
});
