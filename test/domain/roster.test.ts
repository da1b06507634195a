import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRoster, peerRows } from '../../src/domain/roster.js';

const NOW = 1_000_000;

describe('buildRoster', () => {
  it('unites code holders, senders and live presence, with sources', () => {
    const roster = buildRoster({
      presence: [
        { room: 'r', name: 'live', lastSeen: NOW - 5_000 },
        { room: 'r', name: 'coder', lastSeen: NOW - 120_000 },
      ],
      codes: [
        { room: 'r', name: 'coder', capabilities: 'writes code' },
        { room: 'q', name: 'quiet', capabilities: '' },
      ],
      senders: [
        { room: 'r', name: 'poster', lastAt: NOW - 30_000 },
        { room: 'r', name: 'coder', lastAt: NOW - 1_000 },
      ],
      nowMs: NOW,
      onlineWindowSeconds: 60,
    });
    assert.deepEqual(Object.keys(roster), ['q', 'r']);
    assert.deepEqual(roster.q, [
      {
        name: 'quiet',
        online: false,
        seconds_since_seen: null,
        last_message_seconds: null,
        capabilities: '',
        sources: ['code'],
      },
    ]);
    const r = Object.fromEntries(roster.r.map((x) => [x.name, x]));
    assert.deepEqual(Object.keys(r), ['coder', 'live', 'poster']);
    assert.deepEqual(r.coder.sources, ['presence', 'code', 'messages']);
    assert.equal(r.coder.online, false, 'seen two minutes ago is offline with a 60 s window');
    assert.equal(r.coder.capabilities, 'writes code');
    assert.equal(r.coder.last_message_seconds, 1);
    assert.equal(r.live.online, true);
    assert.equal(r.live.seconds_since_seen, 5);
    assert.deepEqual(r.poster.sources, ['messages']);
    assert.equal(r.poster.seconds_since_seen, null);
  });
});

describe('peerRows', () => {
  it('sorts by name and marks online within the window', () => {
    const rows = peerRows(
      [
        { room: 'r', name: 'b', lastSeen: NOW - 61_000 },
        { room: 'r', name: 'a', lastSeen: NOW },
      ],
      new Map([['a', 'plans']]),
      NOW,
      60,
    );
    assert.deepEqual(rows, [
      { name: 'a', online: true, seconds_since_seen: 0, capabilities: 'plans' },
      { name: 'b', online: false, seconds_since_seen: 61, capabilities: '' },
    ]);
  });
});
