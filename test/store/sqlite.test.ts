import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { HotCacheLimits } from '../../src/store/sqlite-cache.js';
import type { StoreOptions } from '../../src/store/store.js';
import { tempDir } from '../helpers.js';
import { storeContract } from './contract.js';

const sqliteFactory = (cache?: HotCacheLimits) => ({
  async open(opts: StoreOptions = {}) {
    const dir = tempDir(null);
    const path = join(dir, 'argybargy.db');
    const handles: SqliteStore[] = [new SqliteStore(path, { ...opts, cache })];
    return {
      store: handles[0],
      reopen: async () => {
        await handles[handles.length - 1].close();
        const s = new SqliteStore(path, { ...opts, cache });
        handles.push(s);
        return s;
      },
      cleanup: async () => {
        for (const h of handles) await h.close();
      },
    };
  },
});

storeContract('sqlite', sqliteFactory());
// A cache too small to answer anything sends every read to the disk paths.
storeContract('sqlite, tiny hot cache', sqliteFactory({ perRoom: 1, totalChars: 4 }));

describe('SqliteStore specifics', () => {
  it('creates the database owner-only', (t) => {
    const dir = tempDir(t);
    const s = new SqliteStore(join(dir, 'x.db'));
    t.after(() => s.close());
    assert.equal(statSync(join(dir, 'x.db')).mode & 0o777, 0o600);
  });

  it('keeps retention cheap on a room with 100k messages', async (t) => {
    const dir = tempDir(t);
    const s = new SqliteStore(join(dir, 'big.db'));
    t.after(() => s.close());
    const base = { room: 'big', from: 'x', to: 'all', expectsReply: 'none', at: 1, requireOpen: true, maxRooms: 0 };
    for (let i = 0; i < 100_000; i++) await s.append({ ...base, text: `m${i}`, maxPerRoom: 0 });
    const started = performance.now();
    for (let i = 0; i < 200; i++) await s.append({ ...base, text: `r${i}`, maxPerRoom: 100_000 });
    const perInsertMs = (performance.now() - started) / 200;
    assert.equal((await s.getRoom('big'))?.messageCount, 100_000);
    assert.ok(perInsertMs < 5, `an insert with retention took ${perInsertMs.toFixed(3)} ms on average`);
  });
});

describe('SqliteStore with another process writing', () => {
  it('sees a code revoked by another connection within a moment', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'shared.db');
    const s = new SqliteStore(path);
    t.after(() => s.close());
    await s.createCode(
      { hash: 'h', plain: null, display: 'x', name: 'a', room: 'r', capabilities: '', createdAt: 1, expiresAt: null },
      0,
    );
    assert.equal((await s.findCodeByHash('h'))?.name, 'a');
    const other = new Database(path);
    other.prepare('DELETE FROM codes WHERE hash = ?').run('h');
    other.close();
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(await s.findCodeByHash('h'), null);
  });
});

describe('group commit', () => {
  it('commits concurrent writes together, each settling on its own', async (t) => {
    const dir = tempDir(t);
    const s = new SqliteStore(join(dir, 'batch.db'));
    t.after(() => s.close());
    const base = { from: 'x', to: 'all', expectsReply: 'none', at: 1, requireOpen: true, maxRooms: 0, maxPerRoom: 0 };
    await s.setRoomStatus('shut', true, 'op', 1);
    const results = await Promise.all([
      s.append({ ...base, room: 'r', text: 'one' }),
      s.append({ ...base, room: 'shut', text: 'refused' }),
      s.append({ ...base, room: 'r', text: 'two' }),
      s.audit({ at: 1, action: 'connect' }),
    ]);
    assert.deepEqual(
      results.slice(0, 3).map((r) => (r?.ok ? r.message.seq : r?.reason)),
      [1, 'room_closed', 2],
    );
    assert.deepEqual(
      (await s.history('r', 'y', 10)).map((m) => m.text),
      ['one', 'two'],
    );
    assert.equal((await s.recentAudit(10)).length, 1);
  });

  it('checkpoints in the background after many writes and closes cleanly with nothing lost', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'many.db');
    const s = new SqliteStore(path);
    const base = {
      room: 'r',
      from: 'x',
      to: 'all',
      expectsReply: 'none',
      at: 1,
      requireOpen: true,
      maxRooms: 0,
      maxPerRoom: 0,
    };
    for (let i = 0; i < 600; i++) await s.append({ ...base, text: `m${i}` });
    await new Promise((r) => setTimeout(r, 1300));
    await s.close();
    assert.equal(existsSync(`${path}-wal`), false, 'the WAL is folded in at close');
    const again = new SqliteStore(path);
    t.after(() => again.close());
    assert.equal((await again.getRoom('r'))?.lastSeq, 600);
    assert.equal((await again.history('r', 'y', 1))[0].text, 'm599');
  });
});
