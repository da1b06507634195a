import { makeClient, mintCodes } from '../lib/client.js';
import { pct, r2, report, sleep } from '../lib/report.js';
import type { RunOptions } from './types.js';

/** One agent parked in a long-poll, another posts: time from sending the POST to the poll's full answer. */
export async function wake(o: RunOptions) {
  const reps = o.smoke ? 10 : o.quick ? 100 : 500;
  const t = await o.target({ ARGYBARGY_RATE_MAX: '0' });
  const client = makeClient();
  try {
    const [listener, poster] = await mintCodes(client, t.nodes[0], t.adminToken, 2, 'wake', () => 'wake');
    const listenAt = t.node(0);
    const postAt = t.node(1);
    let cursor = 0;
    const lat: number[] = [];
    for (let i = 0; i < reps + 20; i++) {
      const parked = client.call<{ messages: unknown[]; cursor: number }>(
        listenAt,
        'GET',
        `/messages?since=${cursor}&wait=25`,
        {
          code: listener,
        },
      );
      await sleep(3);
      const t0 = performance.now();
      const posted = client.call(postAt, 'POST', '/messages', { code: poster, body: { text: `ping ${i}` } });
      const answer = await parked;
      const dt = performance.now() - t0;
      await posted;
      if (answer.body.messages.length !== 1)
        throw new Error(`expected one message, got ${answer.body.messages.length}`);
      cursor = answer.body.cursor;
      if (i >= 20) lat.push(dt); // the first answers warm up the JIT and compile the routes
    }
    const m = {
      reps,
      p50_ms: r2(pct(lat, 50)),
      p95_ms: r2(pct(lat, 95)),
      p99_ms: r2(pct(lat, 99)),
      max_ms: r2(Math.max(...lat)),
    };
    return report(
      'wake',
      t.mode,
      o.quick,
      m,
      [{ metric: 'p99_ms', goal: 2, better: 'lower', original: 6 }],
      `wake-up after a post: p50 ${m.p50_ms} ms, p95 ${m.p95_ms} ms, p99 ${m.p99_ms} ms over ${reps} posts`,
    );
  } finally {
    await client.close();
    await t.stop();
  }
}
