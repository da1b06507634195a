import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startBridge } from '../helpers.js';

describe('GET / and /health', () => {
  it('serves the health check and a self-describing manifest without auth', async (t) => {
    const b = await startBridge(t, {
      ARGYBARGY_MAX_TEXT: '1234',
      ARGYBARGY_RATE_MAX: '7',
      ARGYBARGY_MAX_IDLE_SECONDS: '600',
    });
    const h = await b.call('GET', '/health');
    assert.deepEqual(Object.keys(h.body).sort(), ['instance', 'status', 'version']);
    assert.equal(h.body.status, 'ok');
    assert.match(h.body.version, /^\d+\.\d+\.\d+/);
    assert.equal(h.body.instance, b.running.instance, 'the id of this start, as bridge.json records it');
    const m = (await b.call('GET', '/')).body;
    for (const k of [
      'name',
      'version',
      'what',
      'auth',
      'first_steps',
      'endpoints',
      'response_rule',
      'room_lifecycle',
      'examples',
      'notes',
    ]) {
      assert.ok(k in m, k);
    }
    assert.ok(m.auth.how && m.auth.header.startsWith('Authorization: Bearer'));
    const paths = m.endpoints.map((e: any) => e.path).join(' ');
    for (const p of ['/messages', '/peers', '/whoami', '/history', '/claim', '/health'])
      assert.ok(paths.includes(p), p);
    for (const e of m.endpoints) {
      assert.ok(e.method && e.path && typeof e.auth === 'boolean' && e.desc, JSON.stringify(e));
    }
    assert.ok(m.endpoints.find((e: any) => e.method === 'POST' && e.path === '/messages').body.text);
    for (const line of Object.values(m.examples) as string[]) assert.ok(line.includes(b.url), line);
    const notes = m.notes.join(' ');
    assert.ok(notes.includes('1234') && notes.includes('7 messages') && m.room_lifecycle.join(' ').includes('600'));
  });

  it('uses the public URL from url.txt in the manifest and in invites', async (t) => {
    const b = await startBridge(t);
    writeFileSync(join(b.dir, 'url.txt'), 'https://quiet-river.trycloudflare.com\n');
    const m = (await b.call('GET', '/')).body;
    assert.ok(m.examples.send.includes('https://quiet-river.trycloudflare.com/messages'));
    const inv = (await b.call('POST', '/admin/invite', { admin: true, body: { name: 'x' } })).body;
    assert.equal(inv.url, 'https://quiet-river.trycloudflare.com');
    assert.ok(inv.instruction.includes('https://quiet-river.trycloudflare.com'));
  });
});

/** Every object schema inside `schema` (itself included), with the path it was found at. */
function objectsIn(schema: any, at: string, out: Array<{ at: string; keys: string[] }> = []) {
  if (!schema || typeof schema !== 'object') return out;
  if (schema.properties) {
    out.push({ at, keys: Object.keys(schema.properties) });
    for (const [k, v] of Object.entries(schema.properties)) objectsIn(v, `${at}.${k}`, out);
  }
  if (schema.items) objectsIn(schema.items, `${at}[]`, out);
  for (const alt of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    objectsIn(alt, at, out);
  return out;
}

describe('GET / fields', () => {
  it('explains every field of every answer an agent can get, as the OpenAPI document declares them', async (t) => {
    const b = await startBridge(t);
    const m = (await b.call('GET', '/')).body;
    const spec = (await b.call('GET', '/openapi.json')).body;
    const groups = Object.entries(m.fields) as Array<[string, { in: string; fields: Record<string, string> }]>;
    for (const [name, g] of groups) {
      assert.ok(g.in, `${name} says where it appears`);
      for (const [field, text] of Object.entries(g.fields))
        assert.ok(text.length > 10, `${name}.${field} is explained`);
    }
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths) as Array<[string, any]>) {
      for (const [method, op] of Object.entries(ops) as Array<[string, any]>) {
        if (!op.tags?.some((x: string) => x === 'agent' || x === 'public')) continue;
        for (const [status, res] of Object.entries(op.responses ?? {}) as Array<[string, any]>) {
          const schema = res.content?.['application/json']?.schema;
          for (const o of objectsIn(schema, `${method.toUpperCase()} ${path} ${status}`)) {
            checked++;
            const home = groups.find(([, g]) => o.keys.every((k) => g.fields[k]));
            assert.ok(home, `${o.at} {${o.keys.join(', ')}}: no group of GET / fields explains all of it`);
          }
        }
      }
    }
    assert.ok(checked >= 15, `walked ${checked} answer shapes`);
    // What the issue named, by name.
    for (const f of ['seq', 'ts', 'from', 'to', 'text', 'expects_reply', 'claimed_by', 'expects_reply_resolved'])
      assert.ok(m.fields.message.fields[f], `message.${f}`);
    for (const f of [
      'waited_seconds',
      'room_quiet_seconds',
      'idle_seconds',
      'max_idle_seconds',
      'seconds_left',
      'should_exit',
      'reason',
    ])
      assert.ok(m.fields.poll_budget.fields[f], `poll_budget.${f}`);
    assert.match(m.fields.whoami.fields.room, /string/);
    assert.match(m.fields.poll.fields.room, /object/);
    assert.match(m.fields.room.in, /string/);
    assert.deepEqual(Object.keys(m.fields.warning.fields).sort(), ['detail', 'field', 'name', 'warning']);
    assert.ok(m.fields.post.fields.warnings);
    assert.ok(m.fields.error.fields.retry_after && m.fields.error.fields.reason);
  });
});

describe('docs and CORS', () => {
  it('serves /openapi.json generated from the route schemas, and /docs', async (t) => {
    const b = await startBridge(t);
    const spec = await b.call('GET', '/openapi.json');
    assert.equal(spec.status, 200);
    assert.match(spec.body.openapi, /^3\./);
    for (const p of ['/messages', '/messages/{seq}/claim', '/admin/state', '/admin/rooms/{room}/close', '/history']) {
      assert.ok(spec.body.paths[p], p);
    }
    const poll = spec.body.paths['/messages'].get;
    assert.ok(poll.parameters.some((x: any) => x.name === 'since'));
    assert.ok(poll.responses['200'].content['application/json'].schema.properties.poll_budget);
    for (const [path, method] of [
      ['/messages', 'post'],
      ['/admin/say', 'post'],
    ]) {
      const answer = spec.body.paths[path][method].responses['200'].content['application/json'].schema;
      assert.ok(answer.required.includes('warnings'), `${path} answers warnings`);
      assert.deepEqual(Object.keys(answer.properties.warnings.items.properties).sort(), [
        'detail',
        'field',
        'name',
        'warning',
      ]);
    }
    const state = spec.body.paths['/admin/state'].get.responses['200'].content['application/json'].schema;
    for (const list of ['waiting', 'inbox', 'asked']) {
      assert.ok(state.properties[list].items.properties.waits_on, list);
    }
    const docs = await b.call('GET', '/docs');
    assert.equal(docs.status, 200);
    assert.match(docs.text, /swagger/i);
  });

  it('hides both with ARGYBARGY_DOCS=0', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_DOCS: '0' });
    assert.equal((await b.call('GET', '/openapi.json')).status, 404);
    assert.equal((await b.call('GET', '/docs')).status, 404);
    assert.equal((await b.call('GET', '/docs/')).status, 404);
  });

  it('allows only the configured browser origins', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' });
    const ok = await b.call('OPTIONS', '/messages', {
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.ok(ok.status < 300);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    const get = await b.call('GET', '/health', { headers: { origin: 'http://localhost:5173' } });
    assert.equal(get.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    const evil = await b.call('GET', '/health', { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const none = await startBridge(t);
    assert.equal(
      (await none.call('GET', '/health', { headers: { origin: 'https://app.example.com' } })).headers.get(
        'access-control-allow-origin',
      ),
      null,
    );
  });
});
