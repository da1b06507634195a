import { makeClient, mintCodes } from '../lib/client.js';
import { pct, r2, report } from '../lib/report.js';
import type { RunOptions } from './types.js';

/** 50 agents race to claim one `anyone` question, round after round: exactly one winner each time. */
export async function claim(o: RunOptions) {
  const rounds = o.smoke ? 2 : o.quick ? 20 : 100;
  const racers = o.smoke ? 10 : 50;
  const t = await o.target({ ARGYBARGY_RATE_MAX: '0' });
  const client = makeClient();
  try {
    const codes = await mintCodes(client, t.nodes[0], t.adminToken, racers + 1, 'claim', () => 'race');
    const [asker, ...others] = codes;
    const lat: number[] = [];
    let badRounds = 0;
    for (let round = 0; round < rounds + 3; round++) {
      const q = await client.call<{ message: { seq: number } }>(t.node(0), 'POST', '/messages', {
        code: asker,
        body: { text: `who takes #${round}?`, expects_reply: 'anyone' },
      });
      const seq = q.body.message.seq;
      const results = await Promise.all(
        others.map(async (code, i) => {
          const t0 = performance.now();
          const r = await client.call<{ won: boolean; claimed_by: string }>(
            t.node(i + 1),
            'POST',
            `/messages/${seq}/claim`,
            { code },
          );
          return { r, ms: performance.now() - t0 };
        }),
      );
      const winners = results.filter((x) => x.r.status === 200);
      const named = new Set(results.map((x) => x.r.body.claimed_by));
      if (winners.length !== 1 || named.size !== 1 || results.some((x) => x.r.status !== 200 && x.r.status !== 409))
        badRounds++;
      if (round >= 3) for (const x of results) lat.push(x.ms);
    }
    const m = {
      rounds,
      racers,
      rounds_without_exactly_one_winner: badRounds,
      p50_ms: r2(pct(lat, 50)),
      p99_ms: r2(pct(lat, 99)),
    };
    return report(
      'claim',
      t.mode,
      o.quick,
      m,
      [
        { metric: 'p50_ms', goal: 3, better: 'lower', original: 29 },
        { metric: 'rounds_without_exactly_one_winner', goal: 0, better: 'lower' },
      ],
      `${racers} claimers × ${rounds} rounds: ${badRounds} bad rounds, claim p50 ${m.p50_ms} ms, p99 ${m.p99_ms} ms`,
    );
  } finally {
    await client.close();
    await t.stop();
  }
}
