import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/domain/message.js';
import { HotCache } from '../../src/store/sqlite-cache.js';

const m = (seq: number, from = 'a', to = 'all', text = 'x'): StoredMessage => ({
  room: 'r',
  seq,
  at: seq,
  from,
  to,
  text,
  expects_reply: 'none',
  claimed_by: null,
  reply_to: null,
  answered_by: null,
  answered_at: null,
  claim_expires_at: null,
  claim_lease: null,
  kind: null,
  reason: null,
});

describe('HotCache', () => {
  it('answers reads it covers, with visibility, and refuses ones it does not', () => {
    const c = new HotCache({ perRoom: 3, totalChars: 1000 });
    c.loadRing('r', [m(1), m(2, 'b', 'a'), m(3, 'a', 'c')], true);
    assert.deepEqual(
      c.readSince('r', 'b', 0, 10)?.messages.map((x) => x.seq),
      [1],
    );
    assert.deepEqual(
      c.readSince('r', 'c', 0, 10)?.messages.map((x) => x.seq),
      [1, 3],
    );
    assert.deepEqual(c.readSince('r', 'c', 0, 1), { messages: [m(1)], truncated: true });
    c.push('r', m(4), 0);
    assert.equal(c.readSince('r', 'z', 0, 10), null, 'seq 1 fell out of the ring: the disk must answer');
    assert.deepEqual(
      c.readSince('r', 'z', 1, 10)?.messages.map((x) => x.seq),
      [4],
    );
    assert.equal(c.readSince('nowhere', 'z', 0, 10), null);
  });

  it('drops what retention deleted without losing coverage', () => {
    const c = new HotCache({ perRoom: 10, totalChars: 1000 });
    c.loadRing('r', [m(1), m(2), m(3)], true);
    c.push('r', m(4), 2);
    assert.deepEqual(
      c.readSince('r', 'z', 0, 10)?.messages.map((x) => x.seq),
      [3, 4],
    );
  });

  it('finds and replaces without mutating what callers hold', () => {
    const c = new HotCache({ perRoom: 10, totalChars: 1000 });
    const held = m(1);
    c.loadRing('r', [held, m(2, 'a', 'b')], true);
    assert.equal(c.find('r', 2, 'c'), null, 'a DM between others is not visible');
    assert.equal(c.find('r', 9, 'c'), null, 'covered but absent');
    assert.equal(c.find('q', 1, 'c'), undefined, 'not cached');
    c.replace('r', { ...held, claimed_by: 'b' });
    assert.equal(held.claimed_by, null);
    assert.equal(c.find('r', 1, 'c')?.claimed_by, 'b');
  });

  it('evicts the least recently used rooms past the character budget', () => {
    const c = new HotCache({ perRoom: 10, totalChars: 10 });
    c.loadRing('a', [m(1, 'x', 'all', 'aaaa')], true);
    c.loadRing('b', [m(1, 'x', 'all', 'bbbb')], true);
    c.readSince('a', 'z', 0, 10);
    c.loadRing('c', [m(1, 'x', 'all', 'cccc')], true);
    assert.equal(c.hasRing('b'), false, 'b was least recently used');
    assert.equal(c.hasRing('a'), true);
    assert.equal(c.hasRing('c'), true);
  });
});
