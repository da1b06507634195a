import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/domain/message.js';
import { isoSeconds } from '../../src/domain/time.js';
import { openQuestions } from '../../src/domain/waiting.js';

const NOW = Date.UTC(2026, 6, 30, 12);

function q(
  seq: number,
  from: string,
  expects: string,
  o: { room?: string; minutesAgo?: number; claimedBy?: string; answeredBy?: string } = {},
): StoredMessage {
  return {
    room: o.room ?? 'build',
    seq,
    at: NOW - (o.minutesAgo ?? 1) * 60_000,
    from,
    to: 'all',
    text: 'ship it?',
    expects_reply: expects,
    claimed_by: o.claimedBy ?? null,
    reply_to: null,
    answered_by: o.answeredBy ?? null,
    answered_at: o.answeredBy ? NOW : null,
  };
}

function ask(
  questions: StoredMessage[],
  o: {
    last?: Record<string, Record<string, number>>;
    members?: Record<string, string[]>;
    closed?: string[];
    limit?: number;
  } = {},
) {
  return openQuestions({
    questions,
    lastSeqBySender: new Map(Object.entries(o.last ?? {}).map(([r, m]) => [r, new Map(Object.entries(m))])),
    membersByRoom: new Map(Object.entries(o.members ?? {}).map(([r, m]) => [r, new Set(m)])),
    closedRooms: new Set(o.closed ?? []),
    nowMs: NOW,
    limit: o.limit,
  }).map((r) => ({
    seq: r.message.seq,
    room: r.message.room,
    ts: isoSeconds(r.message.at),
    claimed_by: r.message.claimed_by,
    expects_reply_resolved: r.resolved,
    waiting_seconds: r.waitingSeconds,
  }));
}

describe('openQuestions', () => {
  it('lists a question nobody answered, with its wait and resolved addressee', () => {
    const rows = ask([q(1, 'claude', 'operator')], { members: { build: ['claude', 'operator'] } });
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1],
    );
    assert.equal(rows[0].expects_reply_resolved, 'operator');
    assert.equal(rows[0].waiting_seconds, 60);
    assert.equal(rows[0].room, 'build');
    assert.equal(rows[0].ts, '2026-07-30T11:59:00+00:00');
  });
  it('is answered when the addressed party speaks afterwards', () => {
    assert.deepEqual(ask([q(1, 'claude', 'operator')], { last: { build: { claude: 1, operator: 2 } } }), []);
  });
  it('is not answered by somebody else talking', () => {
    assert.equal(ask([q(1, 'claude', 'operator')], { last: { build: { claude: 1, codex: 9 } } }).length, 1);
  });
  it("is not answered by the asker's own follow-up", () => {
    assert.equal(ask([q(1, 'claude', 'anyone')], { last: { build: { claude: 7 } } }).length, 1);
  });
  it('is not answered by an earlier message', () => {
    assert.equal(ask([q(9, 'claude', 'operator')], { last: { build: { operator: 4 } } }).length, 1);
  });
  it('an open question is answered by anyone but the asker', () => {
    assert.deepEqual(ask([q(1, 'claude', 'anyone')], { last: { build: { claude: 1, codex: 2 } } }), []);
  });
  it('anyone narrows to the only other member, who must answer', () => {
    const members = { build: ['claude', 'operator'] };
    assert.equal(ask([q(1, 'claude', 'anyone')], { members })[0].expects_reply_resolved, 'operator');
    assert.equal(ask([q(1, 'claude', 'anyone')], { members, last: { build: { codex: 5 } } }).length, 1);
    assert.deepEqual(ask([q(1, 'claude', 'anyone')], { members, last: { build: { operator: 5 } } }), []);
  });
  it('skips messages that expect nothing', () => {
    assert.deepEqual(ask([q(1, 'claude', 'none'), q(2, 'claude', '')]), []);
  });
  it('skips closed rooms', () => {
    assert.deepEqual(ask([q(1, 'claude', 'operator')], { closed: ['build'] }), []);
  });
  it('skips a question a reply answered (answered_by), though nobody posted after it otherwise', () => {
    assert.deepEqual(ask([q(1, 'claude', 'codex', { answeredBy: 'codex' })]), []);
    assert.equal(ask([q(1, 'claude', 'codex')]).length, 1);
  });
  it('keeps a claimed but unanswered question, saying who claimed it', () => {
    assert.equal(ask([q(1, 'claude', 'anyone', { claimedBy: 'codex' })])[0].claimed_by, 'codex');
  });
  it("leaves out the operator's own questions", () => {
    assert.deepEqual(ask([q(1, 'operator', 'claude')]), []);
  });
  it('puts the longest wait first and keeps the longest under the limit', () => {
    const rows = ask([
      q(1, 'a', 'operator', { room: 'r1', minutesAgo: 2 }),
      q(2, 'b', 'operator', { room: 'r2', minutesAgo: 40 }),
      q(3, 'c', 'operator', { room: 'r3', minutesAgo: 9 }),
    ]);
    assert.deepEqual(
      rows.map((r) => r.room),
      ['r2', 'r3', 'r1'],
    );
    assert.equal(rows[0].waiting_seconds, 2400);
    const many = Array.from({ length: 7 }, (_, i) =>
      q(i + 1, `a${i}`, 'operator', { room: `r${i + 1}`, minutesAgo: i + 1 }),
    );
    assert.deepEqual(
      ask(many, { limit: 3 }).map((r) => r.room),
      ['r7', 'r6', 'r5'],
    );
    assert.equal(ask(many, { limit: 0 }).length, 7);
  });
  it('is empty for an empty relay', () => assert.deepEqual(ask([]), []));
});
