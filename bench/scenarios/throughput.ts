import { setMaxListeners } from 'node:events';
import { makeClient, mintCodes } from '../lib/client.js';
import { pct, r2, report } from '../lib/report.js';
import { cpuMs } from '../lib/target.js';
import type { RunOptions } from './types.js';

interface Msg {
  seq: number;
  from: string;
  text: string;
}

/**
 * 10 rooms × 4 agents, each looping post → long-poll with the returned cursor.
 * Counts deliveries, checks that every message reached every other agent of its
 * room exactly once, and measures send→receive latency and server CPU.
 */
export async function throughput(o: RunOptions) {
  const rooms = 10;
  const perRoom = 4;
  const seconds = o.smoke ? 1 : o.quick ? 5 : 20;
  const t = await o.target({ ARGYBARGY_RATE_MAX: '0', ARGYBARGY_MAX_MESSAGES_PER_ROOM: '0' });
  const client = makeClient();
  const n = rooms * perRoom;
  const roomOf = (i: number) => `room${Math.floor(i / perRoom)}`;
  try {
    const codes = await mintCodes(client, t.nodes[0], t.adminToken, n, 'tp', roomOf);
    const ownPosts = codes.map(() => [] as number[]); // agent -> seqs it posted
    const received = codes.map(() => new Map<number, number>()); // agent -> seq -> times received
    const latencies: number[] = [];
    let deliveries = 0;
    let posts = 0;
    let errors = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const cpu0 = t.pids.reduce((s, p) => s + cpuMs(p), 0);

    const agent = async (i: number) => {
      const code = codes[i];
      const base = t.node(i);
      let cursor = 0;
      const take = (msgs: Msg[], now: number, measure: boolean) => {
        for (const m of msgs) {
          received[i].set(m.seq, (received[i].get(m.seq) ?? 0) + 1);
          if (measure) {
            deliveries++;
            latencies.push(now - Number(m.text.split(' ')[0]));
          }
        }
      };
      // Phase 1: post and poll until the deadline.
      while (performance.now() < deadline) {
        const sent = performance.now();
        const p = await client.call<{ message: { seq: number } }>(base, 'POST', '/messages', {
          code,
          body: { text: `${sent} from ${i}` },
        });
        if (p.status !== 200) {
          errors++;
          continue;
        }
        posts++;
        ownPosts[i].push(p.body.message.seq);
        try {
          const r = await client.call<{ messages: Msg[]; cursor: number }>(
            base,
            'GET',
            `/messages?since=${cursor}&wait=25`,
            {
              code,
              signal: stop.signal,
            },
          );
          if (r.status !== 200) {
            errors++;
            continue;
          }
          take(r.body.messages, performance.now(), true);
          cursor = r.body.cursor;
        } catch (e) {
          if (!stop.signal.aborted) throw e;
        }
      }
      return {
        drain: async () => {
          // Phase 2, once every agent has stopped posting: drain what is left. It counts
          // for correctness, not speed.
          for (;;) {
            const r = await client.call<{ messages: Msg[]; cursor: number }>(
              base,
              'GET',
              `/messages?since=${cursor}&wait=0`,
              { code },
            );
            if (r.body.messages.length === 0) break;
            take(r.body.messages, performance.now(), false);
            cursor = r.body.cursor;
          }
        },
      };
    };
    const timer = setTimeout(() => stop.abort(), seconds * 1000 + 50);
    const loops = codes.map((_, i) => agent(i));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (performance.now() - started) / 1000;
    const cpu1 = t.pids.reduce((s, p) => s + cpuMs(p), 0);
    const deliveredInWindow = deliveries;
    const drains = await Promise.all(loops);
    await Promise.all(drains.map((d) => d.drain()));
    clearTimeout(timer);

    let lost = 0;
    let dup = 0;
    for (let i = 0; i < n; i++) {
      const room = roomOf(i);
      const mine = new Set<number>();
      // Own messages are never delivered back; everything else in the room must arrive once.
      for (let j = 0; j < n; j++) if (j !== i && roomOf(j) === room) for (const s of ownPosts[j]) mine.add(s);
      for (const s of mine) {
        const c = received[i].get(s) ?? 0;
        if (c === 0) lost++;
        else if (c > 1) dup += c - 1;
      }
    }

    const m = {
      seconds: r2(elapsed),
      agents: n,
      rooms,
      deliveries_per_s: Math.round(deliveredInWindow / elapsed),
      posts_per_s: Math.round(posts / elapsed),
      latency_p50_ms: r2(pct(latencies, 50)),
      latency_p99_ms: r2(pct(latencies, 99)),
      server_cpu_ms_per_1000_deliveries: r2(((cpu1 - cpu0) / Math.max(1, deliveredInWindow)) * 1000),
      lost,
      duplicates: dup,
      errors,
    };
    return report(
      'throughput',
      t.mode,
      o.quick,
      m,
      [
        { metric: 'deliveries_per_s', goal: 8000, better: 'higher', original: 800 },
        { metric: 'lost', goal: 0, better: 'lower' },
        { metric: 'duplicates', goal: 0, better: 'lower' },
      ],
      `${n} agents in ${rooms} rooms for ${m.seconds} s: ${m.deliveries_per_s} deliveries/s, ${m.posts_per_s} posts/s, send→receive p50 ${m.latency_p50_ms} ms p99 ${m.latency_p99_ms} ms, ${m.server_cpu_ms_per_1000_deliveries} server CPU ms per 1000 deliveries, lost ${lost}, duplicates ${dup}`,
    );
  } finally {
    await client.close();
    await t.stop();
  }
}
