import { makeClient, mintCodes } from '../lib/client.js';
import { r2, report, sleep } from '../lib/report.js';
import { rssBytes } from '../lib/target.js';
import type { RunOptions } from './types.js';

/**
 * N distinct agents parked at once: server memory before and while they wait, then
 * one broadcast per room and the time until every parked poll has answered.
 */
export async function parked(o: RunOptions, n: number) {
  const perRoom = 100;
  const rooms = Math.ceil(n / perRoom);
  const t = await o.target({ ARGYBARGY_RATE_MAX: '0', ARGYBARGY_MAX_WAIT: '120', ARGYBARGY_MAX_IDLE_SECONDS: '0' });
  const client = makeClient();
  const roomOf = (i: number) => `park${Math.floor(i / perRoom)}`;
  try {
    const codes = await mintCodes(client, t.nodes[0], t.adminToken, n, 'park', roomOf, 64);
    await sleep(500);
    const rssBefore = t.pids.reduce((s, p) => s + rssBytes(p), 0);
    let errors = 0;
    let answered = 0;
    let lastAnswer = 0;
    const polls = codes.map((code, i) =>
      client
        .call<{ messages: unknown[] }>(t.node(i), 'GET', '/messages?since=0&wait=120', { code })
        .then((r) => {
          if (r.status !== 200 || r.body.messages.length !== 1) errors++;
          answered++;
          lastAnswer = performance.now();
        })
        .catch(() => {
          errors++;
        }),
    );
    // Wait until the server reports every poll parked.
    const parkedBy = performance.now() + 60_000;
    let parkedNow = 0;
    while (performance.now() < parkedBy) {
      const s = await client.call<{ parked_polls: number }>(t.nodes[0], 'GET', '/admin/stats', { admin: t.adminToken });
      parkedNow = s.body.parked_polls;
      if (parkedNow >= n) break;
      await sleep(100);
    }
    await sleep(500);
    const rssDuring = t.pids.reduce((s, p) => s + rssBytes(p), 0);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: rooms }, (_, r) =>
        client.call(t.node(r), 'POST', '/admin/say', {
          admin: t.adminToken,
          body: { room: `park${r}`, text: 'wake up' },
        }),
      ),
    );
    await Promise.all(polls);
    const fanout = lastAnswer - t0;
    const m = {
      parked: n,
      parked_seen_by_server: parkedNow,
      rooms,
      rss_before_mb: r2(rssBefore / 2 ** 20),
      rss_during_mb: r2(rssDuring / 2 ** 20),
      fanout_ms: r2(fanout),
      answered,
      errors,
    };
    const goals =
      n === 10_000
        ? [
            { metric: 'rss_during_mb', goal: 150, better: 'lower' as const },
            { metric: 'fanout_ms', goal: 500, better: 'lower' as const },
            { metric: 'errors', goal: 0, better: 'lower' as const },
          ]
        : [{ metric: 'errors', goal: 0, better: 'lower' as const }];
    if (n === 5000) goals.push({ metric: 'fanout_ms', goal: 500, better: 'lower', original: 7300 } as never);
    return report(
      `parked-${n}`,
      t.mode,
      o.quick,
      m,
      goals,
      `${n} parked polls in ${rooms} rooms: RSS ${m.rss_before_mb} → ${m.rss_during_mb} MB, fan-out to all ${r2(fanout)} ms, ${errors} errors`,
    );
  } finally {
    await client.close();
    await t.stop();
  }
}
