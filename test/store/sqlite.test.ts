import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';
import { storeContract } from './contract.js';

storeContract('sqlite', {
  async open() {
    const dir = tempDir(null);
    const path = join(dir, 'argybargy.db');
    const handles: SqliteStore[] = [new SqliteStore(path)];
    return {
      store: handles[0],
      reopen: async () => {
        await handles[handles.length - 1].close();
        const s = new SqliteStore(path);
        handles.push(s);
        return s;
      },
      cleanup: async () => {
        for (const h of handles) await h.close();
      },
    };
  },
});

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
