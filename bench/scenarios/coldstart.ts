import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pct, r2, report, sleep } from '../lib/report.js';
import { rssBytes, spawnBridge } from '../lib/target.js';
import type { RunOptions } from './types.js';

/** Spawn to the first 200 on /health, and resident memory after 2 s idle. */
export async function coldstart(o: RunOptions) {
  const runs = o.smoke ? 1 : o.quick ? 5 : 15;
  const dir = mkdtempSync(join(tmpdir(), 'argybargy-cold-'));
  const times: number[] = [];
  let rss = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const { url, child } = await spawnBridge({ ARGYBARGY_DATA: dir });
      for (;;) {
        try {
          const r = await fetch(`${url}/health`);
          await r.text();
          if (r.status === 200) break;
        } catch {
          // not up yet
        }
        await sleep(1);
      }
      times.push(performance.now() - t0);
      if (i === runs - 1) {
        await sleep(o.smoke ? 100 : 2000);
        rss = rssBytes(child.pid ?? 0);
      }
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const m = {
    runs,
    median_ms: r2(pct(times, 50)),
    min_ms: r2(Math.min(...times)),
    max_ms: r2(Math.max(...times)),
    idle_rss_mb: r2(rss / 2 ** 20),
  };
  return report(
    'coldstart',
    'embedded',
    o.quick,
    m,
    [{ metric: 'median_ms', goal: 300, better: 'lower' }],
    `spawn to first /health: median ${m.median_ms} ms (min ${m.min_ms}, max ${m.max_ms}); ${m.idle_rss_mb} MB RSS after 2 s idle`,
  );
}
