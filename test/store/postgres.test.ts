import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres.js';
import { decodeText, encodeText } from '../../src/store/postgres-rows.js';
import { clusterSkipReason, freshDatabase } from '../support/services.js';
import { storeContract } from './contract.js';

const skip = await clusterSkipReason();
if (skip) console.log(`# ${skip}`);

storeContract(
  'postgres',
  {
    async open(opts = {}) {
      const db = await freshDatabase(null);
      const handles: PostgresStore[] = [await openPostgresStore(db.url, opts)];
      return {
        store: handles[0],
        reopen: async () => {
          await handles[handles.length - 1].close();
          const s = await openPostgresStore(db.url, opts);
          handles.push(s);
          return s;
        },
        cleanup: async () => {
          for (const h of handles) await h.close().catch(() => undefined);
          await db.drop();
        },
      };
    },
  },
  { skip },
);

describe('PostgresStore specifics', { skip }, () => {
  it('stores text PostgreSQL cannot hold (U+0000) by a reversible encoding', () => {
    for (const t of ['plain', 'a\u0000b', '\u0001starts marked', '\u0001\u0000\u0001', 'é🤖\u0000', '']) {
      assert.equal(decodeText(encodeText(t)), t);
    }
    assert.equal(encodeText('plain'), 'plain', 'ordinary text is stored as it is');
  });

  it('migrates once when several nodes start together, and allocates seqs without gaps under concurrent posts', async (t) => {
    const db = await freshDatabase(t);
    const stores = await Promise.all([openPostgresStore(db.url), openPostgresStore(db.url), openPostgresStore(db.url)]);
    t.after(async () => {
      for (const s of stores) await s.close();
    });
    const base = {
      room: 'busy',
      to: 'all',
      expectsReply: 'none',
      at: 1,
      requireOpen: true,
      maxRooms: 0,
      maxPerRoom: 0,
    };
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) => stores[i % 3].append({ ...base, from: `n${i % 3}`, text: `m${i}` })),
    );
    const seqs = results.map((r) => (r.ok ? r.message.seq : -1)).sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: 90 }, (_, i) => i + 1),
    );
    assert.equal((await stores[0].getRoom('busy'))?.messageCount, 90);
  });

  it('answers 503 while the database is unreachable', async (t) => {
    const s = await openPostgresStore('postgres://postgres@127.0.0.1:1/nothing').catch((e) => e);
    assert.ok(s instanceof Error, 'cannot even open');
    const db = await freshDatabase(t);
    const store = await openPostgresStore(db.url);
    t.after(() => store.close().catch(() => undefined));
    await store.close();
    await assert.rejects(store.getRoom('x'));
  });
});

describe('PostgresStore shared reads', { skip }, () => {
  it('answers concurrent readers of one room from one snapshot, each with its own view', async (t) => {
    const db = await freshDatabase(t);
    const s = await openPostgresStore(db.url);
    t.after(() => s.close());
    const base = { room: 'r', expectsReply: 'none', at: 1, requireOpen: true, maxRooms: 0, maxPerRoom: 0 };
    await s.append({ ...base, from: 'a', to: 'all', text: 'hello all' });
    await s.append({ ...base, from: 'a', to: 'b', text: 'for b' });
    await s.append({ ...base, from: 'b', to: 'all', text: 'b speaks' });
    const [a, b, c, late, paged] = await Promise.all([
      s.readSince('r', 'a', 0, 100),
      s.readSince('r', 'b', 0, 100),
      s.readSince('r', 'c', 0, 100),
      s.readSince('r', 'c', 2, 100),
      s.readSince('r', 'c', 0, 1),
    ]);
    assert.deepEqual(
      a.messages.map((m) => m.text),
      ['b speaks'],
    );
    assert.deepEqual(
      b.messages.map((m) => m.text),
      ['hello all', 'for b'],
    );
    assert.deepEqual(
      c.messages.map((m) => m.text),
      ['hello all', 'b speaks'],
    );
    assert.deepEqual(
      late.messages.map((m) => m.text),
      ['b speaks'],
    );
    assert.deepEqual([paged.messages.length, paged.truncated], [1, true]);
    for (const x of [a, b, c, late, paged]) assert.equal(x.lastSeq, 3);
  });
});
