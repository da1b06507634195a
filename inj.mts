import { loadConfig } from './src/config.ts';
import { assemble } from './src/server.ts';
import { mkdtempSync } from 'node:fs';
const dir = mkdtempSync('/tmp/inj-');
const a = await assemble(loadConfig({ ARGYBARGY_DATA: dir, ARGYBARGY_RATE_MAX: '0', ARGYBARGY_LOG_LEVEL: 'silent' }), { logger: false });
await a.app.ready();
const admin = await a.ctx.adminTokens.current();
const code = JSON.parse((await a.app.inject({ method: 'POST', url: '/admin/invite', headers: { 'x-admin-token': admin }, payload: { name: 'x', room: 'r' } })).body).code;
const h = { authorization: `Bearer ${code}`, 'content-type': 'application/json' };
async function bench(label: string, f: () => Promise<unknown>, n = 5000) {
  for (let i = 0; i < 500; i++) await f();
  const t = performance.now(); for (let i = 0; i < n; i++) await f(); console.log(label, ((performance.now() - t) / n * 1000).toFixed(1), 'µs');
}
await bench('health', () => a.app.inject({ method: 'GET', url: '/health' }));
await bench('whoami', () => a.app.inject({ method: 'GET', url: '/whoami', headers: h }));
await bench('poll0', () => a.app.inject({ method: 'GET', url: '/messages?since=999999&wait=0', headers: h }));
await bench('post', () => a.app.inject({ method: 'POST', url: '/messages', headers: h, payload: '{"text":"hello"}' }));
await bench('bridge.post direct', () => a.bridge.post({ name: 'x', room: 'r', capabilities: '' }, { text: 'hello' }));
await bench('store.append direct', () => a.ctx.store.append({ room: 'r', from: 'x', to: 'all', text: 'hi', expectsReply: 'none', at: Date.now(), requireOpen: true, maxRooms: 0, maxPerRoom: 2000 }));
await bench('store.append no retention', () => a.ctx.store.append({ room: 'q', from: 'x', to: 'all', text: 'hi', expectsReply: 'none', at: Date.now(), requireOpen: true, maxRooms: 0, maxPerRoom: 0 }));
await a.app.close();
