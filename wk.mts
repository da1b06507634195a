import { spawnBridge } from './bench/lib/target.ts';
import { makeClient, mintCodes } from './bench/lib/client.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
const dir = mkdtempSync('/tmp/wk-');
const { url, child } = await spawnBridge({ ARGYBARGY_DATA: dir, ARGYBARGY_RATE_MAX: '0' });
const admin = readFileSync(dir + '/admin.token', 'utf8').trim();
const c = makeClient();
const [l, p] = await mintCodes(c, url, admin, 2, 'w', () => 'r');
const pct = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.ceil(q / 100 * s.length) - 1].toFixed(3); };
let cursor = 0; const A: number[] = [], B: number[] = [], P: number[] = [];
for (let i = 0; i < 600; i++) {
  let tPoll = 0, tPost = 0;
  const parked = c.call<any>(url, 'GET', `/messages?since=${cursor}&wait=25`, { code: l }).then((r) => { tPoll = performance.now(); return r; });
  await new Promise((r) => setTimeout(r, 3));
  const t0 = performance.now();
  const posted = c.call(url, 'POST', '/messages', { code: p, body: { text: 'x' } }).then(() => { tPost = performance.now(); });
  const a = await parked; await posted; cursor = a.body.cursor;
  if (i >= 100) { A.push(tPoll - t0); B.push(tPost - t0); }
  const t1 = performance.now(); await c.call(url, 'POST', '/messages', { code: p, body: { text: 'y' } }); if (i >= 100) P.push(performance.now() - t1);
  cursor = (await c.call<any>(url, 'GET', `/messages?since=${cursor}&wait=0`, { code: l })).body.cursor;
}
console.log('poll answer p50', pct(A, 50), 'p99', pct(A, 99)); console.log('post answer p50', pct(B, 50), 'p99', pct(B, 99)); console.log('lone post rtt p50', pct(P, 50), 'p99', pct(P, 99));
child.kill(); await c.close();
